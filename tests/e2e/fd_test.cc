// Only stdin, stdout and stderr cross into the sandbox, however careless the caller is with
// its own file descriptors.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/unique_fd.h"
#include "probe.h"

namespace sbx::e2e {
namespace {

TEST(FdTest, OnlyStdioCrossesEvenWhenTheCallerLeaksFds) {
  // Deliberately without CLOEXEC: sbx inherits these, the program must not.
  UniqueFd file(::open("/etc/hostname", O_RDONLY));
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  UniqueFd pipe_read(pipe_fds[0]), pipe_write(pipe_fds[1]);
  ASSERT_TRUE(file.valid());
  const std::string leaked = std::to_string(file.get());

  // The allow half: run directly, the probe does see the leaked fd.
  const RunResult host = run_probe_on_host({"fds"});
  ASSERT_TRUE(Succeeded(host));
  EXPECT_NE(host.out.find("fd " + leaked + " -> /etc/hostname"), std::string::npos) << host;

  const RunResult r = run_probe({}, {"fds"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(key_values(r.out).at("fds"), "0,1,2") << r;
}

}  // namespace
}  // namespace sbx::e2e
