// What the program can see and change in the file system, in allow/deny pairs: the read-only
// system view, the workspace, volumes, tmpfs mounts, --read-only, and host ownership of what it
// writes.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "host.h"
#include "probe.h"

namespace sbx::e2e {
namespace {

constexpr char kProbeText[] = "sbx-probe\n";  // what `probe write` puts in a file

void write_host_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(FilesystemTest, SystemDirectoriesAndTheRootAreReadOnly) {
  for (const char* path : {"/usr/sbx-e2e-probe", "/etc/sbx-e2e-probe", "/bin/sbx-e2e-probe",
                           "/lib/sbx-e2e-probe", "/sbx-e2e-probe"}) {
    EXPECT_TRUE(FailedWith(run_probe({}, {"create", path}), {EROFS, EACCES})) << path;
  }
  for (const char* path : {"/etc/passwd", "/usr/bin/env", "/etc/ld.so.cache"}) {
    EXPECT_TRUE(FailedWith(run_probe({}, {"open-write", path}), {EROFS, EACCES})) << path;
  }
}

TEST(FilesystemTest, TmpAndDevShmAreWritable) {
  EXPECT_TRUE(Succeeded(run_probe({}, {"create", "/tmp/sbx-e2e-probe"})));
  EXPECT_TRUE(Succeeded(run_probe({}, {"create", "/dev/shm/sbx-e2e-probe"})));
}

TEST(FilesystemTest, ReadOnlyFlagLeavesNoWritableTmp) {
  EXPECT_TRUE(FailedWith(run_probe({"--read-only"}, {"create", "/tmp/sbx-e2e-probe"}), {EROFS, EACCES}));
  EXPECT_TRUE(FailedWith(run_probe({"--read-only"}, {"create", "/dev/shm/sbx-e2e-probe"}), {EROFS, EACCES, ENOENT}));
}

TEST(FilesystemTest, ReadOnlyFlagStillHonoursRwVolumesAndTmpfs) {
  TempDir dir;
  EXPECT_TRUE(Succeeded(run_probe({"--read-only", "-v", dir.path() + ":/data:rw"}, {"create", "/data/f"})));
  EXPECT_EQ(read_file(dir / "f"), kProbeText);
  EXPECT_TRUE(Succeeded(run_probe({"--read-only", "--tmpfs", "/scratch"}, {"create", "/scratch/f"})));
}

TEST(FilesystemTest, WorkspaceIsTheCallersDirectoryReadOnlyByDefault) {
  TempDir dir;
  write_host_file(dir / "hello.txt", "from the host\n");
  RunOptions in_dir;
  in_dir.cwd = dir.path();
  const RunResult read = run_probe({}, {"read", "/workspace/hello.txt"}, in_dir);
  ASSERT_TRUE(Succeeded(read));
  EXPECT_EQ(read.out, "from the host\n");
  EXPECT_TRUE(FailedWith(run_probe({}, {"create", "/workspace/new"}, in_dir), {EROFS, EACCES}));
  EXPECT_NE(::access((dir / "new").c_str(), F_OK), 0) << "the write reached the host";
}

TEST(FilesystemTest, RwFlagMakesTheWorkspaceWritable) {
  TempDir dir;
  RunOptions in_dir;
  in_dir.cwd = dir.path();
  EXPECT_TRUE(Succeeded(run_probe({"--rw"}, {"create", "/workspace/new"}, in_dir)));
  EXPECT_EQ(read_file(dir / "new"), kProbeText);
}

TEST(FilesystemTest, NoWorkspaceFlagLeavesNoWorkspace) {
  EXPECT_TRUE(FailedWith(run_probe({"--no-workspace"}, {"exists", "/workspace"}), {ENOENT}));
  EXPECT_TRUE(Succeeded(run_probe({}, {"exists", "/workspace"})));
}

TEST(FilesystemTest, ReadOnlyVolumeIsReadableButNotWritable) {
  TempDir dir;
  write_host_file(dir / "data.txt", "volume data\n");
  const RunResult read = run_probe({"-v", dir.path() + ":/data:ro"}, {"read", "/data/data.txt"});
  ASSERT_TRUE(Succeeded(read));
  EXPECT_EQ(read.out, "volume data\n");
  EXPECT_TRUE(FailedWith(run_probe({"-v", dir.path() + ":/data:ro"}, {"open-write", "/data/data.txt"}), {EROFS, EACCES}));
  EXPECT_TRUE(FailedWith(run_probe({"-v", dir.path() + ":/data:ro"}, {"create", "/data/new"}), {EROFS, EACCES}));
  EXPECT_EQ(read_file(dir / "data.txt"), "volume data\n");
}

TEST(FilesystemTest, RwVolumeIsWritableAndItIsTheDefault) {
  TempDir dir;
  EXPECT_TRUE(Succeeded(run_probe({"-v", dir.path() + ":/data:rw"}, {"create", "/data/a"})));
  EXPECT_TRUE(Succeeded(run_probe({"-v", dir.path() + ":/data"}, {"create", "/data/b"})));
  EXPECT_EQ(read_file(dir / "a"), kProbeText);
  EXPECT_EQ(read_file(dir / "b"), kProbeText);
}

// A writable bind the sandbox's host user cannot write (as root, sbx runs the sandbox as host uid
// 65534) is said before the run, not discovered by the program as EACCES.
TEST(FilesystemTest, AWritableBindTheSandboxCannotWriteIsSaid) {
  TempDir dir;
  const std::string locked = dir / "locked";
  ASSERT_EQ(::mkdir(locked.c_str(), 0555), 0);
  const RunResult r = run_probe({"-v", locked + ":/data"}, {"create", "/data/new"});
  EXPECT_TRUE(FailedWith(r, {EACCES})) << r;
  EXPECT_NE(r.err.find("sbx: warning: -v " + locked + ":/data: the sandbox cannot write to " + locked), std::string::npos)
      << r;
  EXPECT_NE(r.err.find("mount it read-only if it is only read"), std::string::npos) << r;

  RunOptions in_locked;
  in_locked.cwd = locked;
  const RunResult rw = run_probe({"--rw"}, {"exists", "/workspace"}, in_locked);
  EXPECT_EQ(rw.status(), 0) << rw;
  EXPECT_NE(rw.err.find("sbx: warning: --rw: the sandbox cannot write to " + locked), std::string::npos) << rw;

  // Nothing to say for a read-only bind, or for a directory the sandbox may write.
  const RunResult ro = run_probe({"-v", locked + ":/data:ro"}, {"exists", "/data"});
  EXPECT_TRUE(Succeeded(ro)) << ro;
  EXPECT_EQ(ro.err.find("warning"), std::string::npos) << ro;
  const RunResult open = run_probe({"-v", dir.path() + ":/data"}, {"create", "/data/new"});
  EXPECT_TRUE(Succeeded(open)) << open;
  EXPECT_EQ(open.err.find("warning"), std::string::npos) << open;
  ASSERT_EQ(::chmod(locked.c_str(), 0755), 0);  // so that TempDir can remove it as nobody too
}

TEST(FilesystemTest, TmpfsFlagAddsAWritableDirectory) {
  EXPECT_TRUE(FailedWith(run_probe({}, {"create", "/scratch/f"}), {ENOENT, EROFS, EACCES}));
  EXPECT_TRUE(Succeeded(run_probe({"--tmpfs", "/scratch"}, {"create", "/scratch/f"})));
}

// The child starts building the root on a host directory (/tmp by default) before the rest of
// the plan is there. A volume inside that directory, or above it, must still show the host's
// files: not the sandbox root that covers the directory in the child's mount namespace.
TEST(FilesystemTest, VolumesInOrAboveTheHostsTmpShowTheHostsFiles) {
  TempDir dir;  // /tmp/sbx-e2e.XXXXXX on the host
  write_host_file(dir / "marker", "on the host\n");
  const std::string in_sandbox = "/host" + dir.path() + "/marker";
  for (const std::string& volume : {std::string("/:/host:ro"), std::string("/tmp:/host/tmp:ro"), dir.path() + ":/host" + dir.path() + ":ro"}) {
    const RunResult read = run_probe({"--no-workspace", "-v", volume}, {"read", in_sandbox});
    ASSERT_TRUE(Succeeded(read)) << volume;
    EXPECT_EQ(read.out, "on the host\n") << volume;
  }
  RunOptions in_dir;
  in_dir.cwd = dir.path();
  const RunResult workspace = run_probe({}, {"read", "/workspace/marker"}, in_dir);
  ASSERT_TRUE(Succeeded(workspace));
  EXPECT_EQ(workspace.out, "on the host\n");
}

TEST(FilesystemTest, HostDirectoriesOutsideTheViewDoNotExist) {
  for (const char* path : {"/home", "/root", "/var", "/run", "/boot", "/srv", "/mnt", "/media", "/opt",
                           "/etc/shadow", "/etc/gshadow", "/etc/sudoers"}) {
    EXPECT_TRUE(FailedWith(run_probe({}, {"exists", path}), {ENOENT})) << path;
  }
}

TEST(FilesystemTest, HostTmpIsNotVisibleInTheSandboxTmp) {
  TempDir dir;  // /tmp/sbx-e2e.XXXXXX on the host
  ASSERT_EQ(::access(dir.path().c_str(), F_OK), 0);
  EXPECT_TRUE(FailedWith(run_probe({}, {"exists", dir.path()}), {ENOENT}));
}

TEST(FilesystemTest, SensitiveHostEtcEntriesAreNotAllowlisted) {
  int checked = 0;
  for (const char* path : {"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers",
                           "/etc/sudoers.d", "/etc/ssh", "/etc/machine-id", "/etc/subuid", "/etc/subgid",
                           "/etc/crontab", "/etc/fstab", "/etc/pam.d", "/etc/security"}) {
    struct stat st {};
    if (::lstat(path, &st) != 0) continue;  // only what this host really has
    ++checked;
    EXPECT_TRUE(FailedWith(run_probe({}, {"exists", path}), {ENOENT})) << path << " leaked from the host";
  }
  if (checked == 0) GTEST_SKIP() << "this host has none of the sensitive /etc entries checked here";
}

TEST(FilesystemTest, EtcPasswdIsGeneratedNotTheHosts) {
  const RunResult r = run_probe({}, {"read", "/etc/passwd"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_NE(r.out.find("sandbox:x:1000:1000:"), std::string::npos) << r;
  std::istringstream host(read_file("/etc/passwd"));
  for (std::string line; std::getline(host, line);) {
    const std::string name = line.substr(0, line.find(':'));
    if (name.empty() || name == "root" || name == "nobody" || name == "sandbox") continue;
    EXPECT_EQ(r.out.find("\n" + name + ":"), std::string::npos) << "host account " << name << r;
    EXPECT_NE(r.out.rfind(name + ":", 0), 0u) << "host account " << name << r;
  }
}

// Files the sandbox creates belong on the host to the unprivileged uid sbx maps to, even when
// the caller is root and even with --uid 0 inside.
TEST(FilesystemTest, FilesCreatedInRwVolumeAreNotOwnedByHostRoot) {
  TempDir dir;
  for (const char* uid : {"1000", "0"}) {
    const std::string name = std::string("by-uid-") + uid;
    ASSERT_TRUE(Succeeded(run_probe({"--uid", uid, "--gid", uid, "-v", dir.path() + ":/data"}, {"create", "/data/" + name})));
    struct stat st {};
    ASSERT_EQ(::stat((dir / name).c_str(), &st), 0) << name;
    EXPECT_NE(st.st_uid, 0u) << name << " is owned by host root";
    EXPECT_NE(st.st_gid, 0u) << name << " has host group root";
    if (::getuid() != 0) {
      EXPECT_EQ(st.st_uid, ::getuid()) << "an unprivileged caller's sandbox writes as the caller";
    }
  }
}

TEST(FilesystemTest, RootOwnedHostFilesAreNotWritableEvenAsUidZero) {
  if (::getuid() != 0) GTEST_SKIP() << "needs the suite to run as root to own a host file as root";
  TempDir dir;
  write_host_file(dir / "root-0644", "root's\n");
  write_host_file(dir / "root-0666", "anyone's\n");
  ASSERT_EQ(::chmod((dir / "root-0644").c_str(), 0644), 0);
  ASSERT_EQ(::chmod((dir / "root-0666").c_str(), 0666), 0);
  for (const char* uid : {"1000", "0"}) {
    const std::vector<std::string> flags = {"--uid", uid, "--gid", uid, "-v", dir.path() + ":/data"};
    EXPECT_TRUE(FailedWith(run_probe(flags, {"open-write", "/data/root-0644"}), {EACCES})) << "uid " << uid;
    // The allow half: the same mount is writable where the file's mode lets anyone write.
    EXPECT_TRUE(Succeeded(run_probe(flags, {"write", "/data/root-0666"}))) << "uid " << uid;
  }
  EXPECT_EQ(read_file(dir / "root-0644"), "root's\n");
}

}  // namespace
}  // namespace sbx::e2e
