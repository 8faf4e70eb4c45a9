// sbx-probe: runs INSIDE the sandbox and reports one fact per invocation. The e2e tests make
// their assertions outside, on this program's stdout and exit status (crun tests/init.c, bwrap
// try-syscall.c). Linked statically so it runs in any root filesystem.
//
// Exit status convention: 0 = the thing worked; otherwise the errno that stopped it, so a test
// can tell EROFS (30) from EACCES (13) from EPERM (1). kUsage (254) means the probe was misused;
// errno values never get that high. (`exit` and `raise` exist to produce chosen statuses.)
//
// The suite also runs some commands on the host to show what happens without sbx, and a broken
// sbx could let any of them run there, possibly as root: so nothing here may damage a host. No
// command truncates or replaces an existing file, and every try-syscall attempt is harmless
// even when the kernel allows it.

#include <unistd.h>

#include <cstdio>
#include <string_view>

#include "commands.h"
#include "probe_util.h"

namespace sbx::probe {
namespace {

void usage() {
  std::fprintf(stderr,
               "usage: sbx-probe ids | caps | create PATH | open-write PATH | write PATH | read PATH |\n"
               "  exists PATH | ls DIR | cwd | connect-tcp HOST PORT | send-udp HOST PORT | udp-self |\n"
               "  tcp-self |"
               "  try-syscall NAME | tiocsti | foreign-abi | fds | pids | daemonize FILE | env |\n"
               "  hostname | mounts | sleep SECONDS | hold FILE SECONDS | ifaces | netns-owner | exit CODE |\n"
               "  raise SIGNUM | cat\n"
               "Extra trailing arguments are ignored (tests use them as markers in cmdline).\n"
               "try-syscall names:");
  for (const auto name : syscall_names()) std::fprintf(stderr, " %.*s", static_cast<int>(name.size()), name.data());
  std::fprintf(stderr, "\n");
}

int dispatch(int argc, char** argv) {
  if (argc < 2) return usage(), kUsage;
  const std::string_view cmd = argv[1];
  const auto need = [&](int n) { return argc >= 2 + n; };
  if (cmd == "ids") return cmd_ids();
  if (cmd == "caps") return cmd_caps();
  if (cmd == "create" && need(1)) return cmd_create(argv[2]);
  if (cmd == "open-write" && need(1)) return cmd_open_write(argv[2]);
  if (cmd == "write" && need(1)) return cmd_write(argv[2]);
  if (cmd == "read" && need(1)) return cmd_read(argv[2]);
  if (cmd == "exists" && need(1)) return cmd_exists(argv[2]);
  if (cmd == "ls" && need(1)) return cmd_ls(argv[2]);
  if (cmd == "cwd") return cmd_cwd();
  if (cmd == "connect-tcp" && need(2)) return cmd_connect_tcp(argv[2], argv[3]);
  if (cmd == "send-udp" && need(2)) return cmd_send_udp(argv[2], argv[3]);
  if (cmd == "udp-self") return cmd_udp_self();
  if (cmd == "tcp-self") return cmd_tcp_self();
  if (cmd == "try-syscall" && need(1)) return cmd_try_syscall(argv[2]);
  if (cmd == "tiocsti") return cmd_tiocsti();
  if (cmd == "foreign-abi") return cmd_foreign_abi();
  if (cmd == "fds") return cmd_fds();
  if (cmd == "pids") return cmd_pids();
  if (cmd == "daemonize" && need(1)) return cmd_daemonize(argv[2]);
  if (cmd == "env") return cmd_env();
  if (cmd == "hostname") return cmd_hostname();
  if (cmd == "mounts") return cmd_read("/proc/self/mountinfo");
  if (cmd == "sleep" && need(1)) return cmd_sleep(argv[2]);
  if (cmd == "hold" && need(2)) return cmd_hold(argv[2], argv[3]);
  if (cmd == "ifaces") return cmd_ifaces();
  if (cmd == "netns-owner") return cmd_netns_owner();
  if (cmd == "exit" && need(1)) return cmd_exit(argv[2]);
  if (cmd == "raise" && need(1)) return cmd_raise(argv[2]);
  if (cmd == "cat") return cmd_cat();
  usage();
  return kUsage;
}

}  // namespace
}  // namespace sbx::probe

int main(int argc, char** argv) {
  // A stuck probe must never hang a test run; nothing it does legitimately takes a minute.
  ::alarm(60);
  const int rc = sbx::probe::dispatch(argc, argv);
  std::fflush(stdout);
  return rc;
}
