// The standby worker's job message (rpc/worker_handoff.h): the payload's format, and the
// descriptors arriving at the places the mask names over a real socket pair.
#include "rpc/worker_handoff.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sbx::rpc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using namespace std::string_literals;

TEST(WorkerHandoffTest, AJobSurvivesEncodingWithEmptyArgumentsAndEqualsInValues) {
  WorkerJob job{{"/proc/self/exe", "exec", "", "--", "sh", "-c", "echo a=b"}, {"PATH=/bin", "X=a=b", "EMPTY="}, 0b10110};
  auto decoded = decode_worker_job(encode_worker_job(job));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->argv, job.argv);
  EXPECT_EQ(decoded->env, job.env);
  EXPECT_EQ(decoded->fd_mask, 0b10110u);
}

TEST(WorkerHandoffTest, DecodingNamesWhatIsWrong) {
  const std::string good = encode_worker_job(WorkerJob{{"sbx", "exec"}, {"A=1"}, 3});
  struct Case {
    std::string payload;
    std::string error;
  };
  const Case cases[] = {
      {"", "bad magic"},
      {"sbx-worker-job/2\0"s + good.substr(good.find('\0') + 1), "bad magic"},
      {"sbx-worker-job/1\0" "32\0" "1\0" "sbx\0"s, "bad descriptor mask"},
      {"sbx-worker-job/1\0" "x\0" "1\0" "sbx\0"s, "bad descriptor mask"},
      {"sbx-worker-job/1\0" "0\0" "0\0"s, "bad argument count"},
      {"sbx-worker-job/1\0" "0\0" "3\0" "sbx\0" "exec\0"s, "fewer arguments"},
      {"sbx-worker-job/1\0" "0\0" "1\0" "sbx\0" "NOEQUALS\0"s, "not NAME=VALUE"},
      {"sbx-worker-job/1\0" "0\0" "1\0" "sbx\0" "A=1"s, "not NAME=VALUE"},  // unterminated
  };
  for (const auto& c : cases) {
    auto decoded = decode_worker_job(c.payload);
    ASSERT_FALSE(decoded) << "accepted: " << c.error;
    EXPECT_THAT(decoded.error().message, HasSubstr(c.error));
  }
}

class SocketPair {
 public:
  SocketPair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
    server = UniqueFd(fds[0]);
    worker = UniqueFd(fds[1]);
  }
  UniqueFd server;
  UniqueFd worker;
};

std::string read_all(int fd) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(WorkerHandoffTest, DescriptorsArriveWhereTheMaskPutsThem) {
  int out[2], report[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(report, O_CLOEXEC), 0);
  UniqueFd out_read(out[0]), out_write(out[1]), report_read(report[0]), report_write(report[1]);
  SocketPair pair;

  WorkerStdio stdio;  // no stdin, stdout and stderr the same pipe, fd 3 the report, no fd 4
  stdio.stdout_fd = out_write.get();
  stdio.stderr_fd = out_write.get();
  stdio.fd3 = report_write.get();
  const WorkerCommand command{{"/proc/self/exe", "exec", "--", "true"}, {"LANG=C.UTF-8"}};
  const WorkerJob job = make_worker_job(command, stdio);
  EXPECT_EQ(job.fd_mask, 0b01110u);
  ASSERT_TRUE(send_worker_job(pair.server.get(), encode_worker_job(job), stdio));
  out_write.reset();
  report_write.reset();

  auto received = receive_worker_job(pair.worker.get());
  ASSERT_TRUE(received) << received.error().message;
  ASSERT_TRUE(received->has_value());
  ReceivedWorkerJob& got = **received;
  EXPECT_THAT(got.job.argv, ElementsAre("/proc/self/exe", "exec", "--", "true"));
  EXPECT_THAT(got.job.env, ElementsAre("LANG=C.UTF-8"));
  EXPECT_FALSE(got.fds[0].valid());
  EXPECT_FALSE(got.fds[4].valid());
  ASSERT_TRUE(got.fds[1].valid() && got.fds[2].valid() && got.fds[3].valid());
  // Received descriptors are close-on-exec until the worker puts them in place.
  EXPECT_EQ(::fcntl(got.fds[3].get(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  ASSERT_EQ(::write(got.fds[1].get(), "out ", 4), 4);
  ASSERT_EQ(::write(got.fds[2].get(), "err", 3), 3);
  ASSERT_EQ(::write(got.fds[3].get(), "{}", 2), 2);
  for (auto& fd : got.fds) fd.reset();
  EXPECT_EQ(read_all(out_read.get()), "out err");
  EXPECT_EQ(read_all(report_read.get()), "{}");
}

TEST(WorkerHandoffTest, AClosedServerMeansNoJob) {
  SocketPair pair;
  pair.server.reset();
  auto received = receive_worker_job(pair.worker.get());
  ASSERT_TRUE(received) << received.error().message;
  EXPECT_FALSE(received->has_value());
}

TEST(WorkerHandoffTest, SendingToAWorkerThatIsGoneFailsWithoutSigpipe) {
  SocketPair pair;
  pair.worker.reset();
  WorkerStdio stdio;
  const auto sent = send_worker_job(pair.server.get(), encode_worker_job(WorkerJob{{"sbx", "exec"}, {}, 0}), stdio);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().sys_errno, EPIPE);
}

TEST(WorkerHandoffTest, AJobTooLargeForOneMessageIsNotSent) {
  SocketPair pair;
  WorkerStdio stdio;
  const WorkerJob job{{"sbx", "exec", std::string(kMaxWorkerJobBytes, 'x')}, {}, 0};
  const auto sent = send_worker_job(pair.server.get(), encode_worker_job(job), stdio);
  ASSERT_FALSE(sent);
  EXPECT_THAT(sent.error().message, HasSubstr("too large"));
}

// The server's view of the acknowledgement: only the worker's byte counts. Nothing yet, or a
// worker gone without answering, both read as "not taken"; neither blocks.
TEST(WorkerHandoffTest, OnlyTheWorkersAnswerMarksTheJobTaken) {
  SocketPair pair;
  EXPECT_FALSE(worker_job_acknowledged(pair.server.get()));
  ASSERT_TRUE(acknowledge_worker_job(pair.worker.get()));
  EXPECT_TRUE(worker_job_acknowledged(pair.server.get()));

  SocketPair silent;
  silent.worker.reset();
  EXPECT_FALSE(worker_job_acknowledged(silent.server.get()));

  SocketPair stray;
  ASSERT_EQ(::send(stray.worker.get(), "x", 1, 0), 1);
  EXPECT_FALSE(worker_job_acknowledged(stray.server.get()));
}

TEST(WorkerHandoffTest, AnsweringAServerThatIsGoneFailsWithoutSigpipe) {
  SocketPair pair;
  pair.server.reset();
  const auto acknowledged = acknowledge_worker_job(pair.worker.get());
  ASSERT_FALSE(acknowledged);
  EXPECT_EQ(acknowledged.error().sys_errno, EPIPE);
}

}  // namespace
}  // namespace sbx::rpc
