"""A first program to run in the sandbox: shows who and where it is."""
import os
import socket

print(f"hello from uid {os.getuid()} on host {socket.gethostname()!r}")
print(f"working directory: {os.getcwd()}")
print(f"visible root: {sorted(os.listdir('/'))}")
try:
    socket.create_connection(("1.1.1.1", 53), timeout=1)
    print("network: reachable")
except OSError as e:
    print(f"network: blocked ({e.strerror})")
