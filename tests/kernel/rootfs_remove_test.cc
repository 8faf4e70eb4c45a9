// remove_tree (base/remove_tree.h) must stop at mount points: a build interrupted before mmdebstrap unmounted
// /proc or /dev inside its tree must not make the cleanup delete the host's files.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "base/remove_tree.h"

namespace sbx::rootfs {
namespace {

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out.flush());
}

// Child exit codes: 0 = refused and the mounted file survived; 10+ = a step failed; 77 = no
// user namespaces here.
int check_in_namespace(const std::string& dir) {
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return 77;
  if (!write_text("/proc/self/setgroups", "deny") || !write_text("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
      !write_text("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
    return 10;
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return 11;
  const std::string mnt = dir + "/tree/proc";
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=64k") != 0) return 12;
  if (!write_text(mnt + "/precious", "host data")) return 13;
  const Status removed = remove_tree(dir + "/tree");
  if (removed.has_value()) return 14;
  if (removed.error().message.find("something is mounted there") == std::string::npos) return 15;
  struct stat st {};
  if (::stat((mnt + "/precious").c_str(), &st) != 0) return 16;
  return 0;
}

TEST(RootfsRemoveTree, StopsAtAMountPoint) {
  char tmpl[] = "/tmp/sbx-remove-test.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  ASSERT_EQ(::mkdir((dir + "/tree").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((dir + "/tree/proc").c_str(), 0755), 0);
  ASSERT_TRUE(write_text(dir + "/tree/file", "x"));
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) _exit(check_in_namespace(dir));
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  const int code = WEXITSTATUS(status);
  // Outside the namespace nothing is mounted: now the whole tree goes.
  EXPECT_TRUE(remove_tree(dir).has_value());
  if (code == 77) GTEST_SKIP() << "user namespaces are not available here";
  EXPECT_EQ(code, 0) << "step " << code << " failed (see check_in_namespace)";
}

}  // namespace
}  // namespace sbx::rootfs
