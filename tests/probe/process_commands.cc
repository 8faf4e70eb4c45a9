// Process life: chosen exit statuses and signals, stdin, sleeping, and processes that try to
// outlive the sandbox.
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>

#include "commands.h"
#include "probe_util.h"

namespace sbx::probe {

// Double fork + setsid, the way a daemon escapes its parent. The grandchild takes an exclusive
// flock on FILE (the test checks from the host that the lock is released, i.e. the daemon died,
// once sbx returns), writes its pid there and sleeps. The parent waits until the lock is held,
// so the test cannot pass merely because the daemon never got going, then waits for EOF on
// stdin and exits 0.
int cmd_daemonize(const char* file) {
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) return report("pipe2", errno);
  const pid_t child = ::fork();
  if (child < 0) return report("fork", errno);
  if (child == 0) {
    ::close(ready[0]);
    if (::setsid() < 0) ::_exit(errno);
    const pid_t grandchild = ::fork();
    if (grandchild < 0) ::_exit(errno);
    if (grandchild != 0) ::_exit(0);
    const int fd = ::open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0) ::_exit(errno);
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::write(fd, pid.data(), pid.size()) < 0) ::_exit(errno);
    (void)!::write(ready[1], "r", 1);
    ::close(ready[1]);
    ::close(0);
    ::close(1);
    ::close(2);
    ::sleep(30);
    ::_exit(0);
  }
  ::close(ready[1]);
  ::waitpid(child, nullptr, 0);
  char c = 0;
  const int err = wait_ready(ready[0], POLLIN, 5000);
  const bool got = err == 0 && ::read(ready[0], &c, 1) == 1;
  ::close(ready[0]);
  if (!got) return report("daemon ready", err != 0 ? err : EPIPE);
  std::printf("daemonized\n");
  std::fflush(stdout);
  // Returns at once when stdin is /dev/null; a test that keeps stdin open gets time to find
  // the daemon on the host before this process, and with it the sandbox, ends.
  char drain[256];
  while (::read(0, drain, sizeof(drain)) > 0) {
  }
  return 0;
}

// Writes "PID CHILD_PID" (pids as this sandbox sees them) to FILE once both processes exist, then
// both sleep. The test finds them on the host by the marker in their command line and checks
// that they die with sbx.
int cmd_hold(const char* file, const char* seconds) {
  char* end = nullptr;
  const long s = std::strtol(seconds, &end, 10);
  if (*end != '\0' || s < 0 || s > 3600) return kUsage;
  std::fflush(stdout);
  const pid_t child = ::fork();
  if (child < 0) return report("fork", errno);
  if (child == 0) {
    ::sleep(static_cast<unsigned>(s));
    ::_exit(0);
  }
  // Written under a temporary name and renamed, so the test never reads half a line.
  const std::string tmp = std::string(file) + ".tmp";
  {
    std::ofstream out(tmp);
    out << ::getpid() << " " << child << "\n";
    if (!out.flush()) return report("write pid file", errno != 0 ? errno : EIO);
  }
  if (::rename(tmp.c_str(), file) != 0) return report("rename pid file", errno);
  ::sleep(static_cast<unsigned>(s));
  ::waitpid(child, nullptr, 0);
  return 0;
}

int cmd_exit(const char* code) {
  char* end = nullptr;
  const long c = std::strtol(code, &end, 10);
  if (*end != '\0' || c < 0 || c > 255) return kUsage;
  std::fflush(stdout);
  ::_exit(static_cast<int>(c));
}

// Dies by signal SIG with the default action (a caught or ignored signal would not kill).
int cmd_raise(const char* sig) {
  char* end = nullptr;
  const long n = std::strtol(sig, &end, 10);
  if (*end != '\0' || n <= 0 || n >= NSIG) return kUsage;
  std::fflush(stdout);
  std::signal(static_cast<int>(n), SIG_DFL);
  ::raise(static_cast<int>(n));
  return report("raise", EINVAL);  // only reached for a signal whose default is to ignore
}

// Copies fd 0 to stdout.
int cmd_cat() {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(0, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return report("read stdin", errno);
    if (n == 0) return 0;
    std::fwrite(buf, 1, static_cast<size_t>(n), stdout);
  }
}

int cmd_sleep(const char* seconds) {
  char* end = nullptr;
  const long s = std::strtol(seconds, &end, 10);
  if (*end != '\0' || s < 0 || s > 3600) return kUsage;
  timespec ts{s, 0};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
  return 0;
}

}  // namespace sbx::probe
