#!/usr/bin/env python3
"""Drive `sbx rpc` from an agent with nothing but the standard library.

Starts `sbx rpc` as a subprocess, asks what it offers, runs a Python snippet with a
secret and a file, streams a command's output, and prints each verdict's essentials.
Usage: examples/rpc_client.py [PATH_TO_SBX]
"""
import json
import subprocess
import sys


class SbxRpc:
    def __init__(self, sbx="sbx"):
        self.proc = subprocess.Popen([sbx, "rpc"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.next_id = 1

    def call(self, method, params=None, on_output=None):
        """Sends one request; returns its result, or raises on a JSON-RPC error."""
        request_id = self.next_id
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()
        for line in self.proc.stdout:
            reply = json.loads(line)
            if reply.get("method") == "run.output":  # a streamed chunk of some run
                if on_output and reply["params"]["id"] == request_id:
                    on_output(reply["params"]["stream"], reply["params"]["data"])
                continue
            if reply.get("id") != request_id:
                continue
            if "error" in reply:
                raise RuntimeError(f"{method}: {reply['error']['message']}")
            return reply["result"]
        raise RuntimeError("sbx rpc ended without answering")

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def main():
    rpc = SbxRpc(sys.argv[1] if len(sys.argv) > 1 else "sbx")
    caps = rpc.call("capabilities")
    print("protocol:", caps["protocol"], "languages:", ", ".join(l["name"] for l in caps["languages"]))

    result = rpc.call("run", {
        "language": "python",
        "code": "import os\nprint(open('data.txt').read().strip(), os.environ['API_KEY'])\n",
        "files": [{"path": "data.txt", "text": "hello from a file"}],
        "secrets": {"API_KEY": "s3cr3t-value"},
        "limits": {"timeout": "10s"},
    })
    verdict = result["verdict"]
    print("python:", verdict["status"], verdict["exit_code"], repr(verdict["stdout"]["text"]))

    chunks = []
    result = rpc.call("run", {"argv": ["sh", "-c", "echo one; sleep 0.2; echo two; exit 3"], "stream": True},
                      on_output=lambda stream, data: chunks.append((stream, data)))
    print("streamed:", chunks, "exit code", result["verdict"]["exit_code"])
    rpc.close()


if __name__ == "__main__":
    main()
