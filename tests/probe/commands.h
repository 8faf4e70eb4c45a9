// One function per probe command. Each tries one thing, prints machine-readable lines on
// stdout and returns the exit status: 0 when it worked, else the errno that stopped it.
#pragma once

#include <string_view>
#include <vector>

namespace sbx::probe {

// identity_commands.cc
int cmd_ids();
int cmd_caps();
int cmd_cwd();
int cmd_fds();
int cmd_pids();
int cmd_env();
int cmd_hostname();

// fs_commands.cc
int cmd_create(const char* path);
int cmd_open_write(const char* path);
int cmd_write(const char* path);
int cmd_read(const char* path);
int cmd_exists(const char* path);
int cmd_ls(const char* path);

// net_commands.cc
int cmd_connect_tcp(const char* host, const char* port);
int cmd_send_udp(const char* host, const char* port);
int cmd_udp_self();
int cmd_tcp_self();
int cmd_ifaces();
int cmd_netns_owner();

// syscall_commands.cc
int cmd_try_syscall(const char* name);
std::vector<std::string_view> syscall_names();
int cmd_tiocsti();
int cmd_foreign_abi();

// process_commands.cc
int cmd_daemonize(const char* file);
int cmd_hold(const char* file, const char* seconds);
int cmd_exit(const char* code);
int cmd_raise(const char* sig);
int cmd_cat();
int cmd_sleep(const char* seconds);

}  // namespace sbx::probe
