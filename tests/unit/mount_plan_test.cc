#include "mounts/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/paths.h"
#include "fake_host_view.h"

namespace sbx::mounts {
namespace {

using launch::MountOpKind;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const char* kind_name(MountOpKind kind) {
  switch (kind) {
    case MountOpKind::kBind: return "bind";
    case MountOpKind::kTmpfs: return "tmpfs";
    case MountOpKind::kProc: return "proc";
    case MountOpKind::kDevpts: return "devpts";
    case MountOpKind::kMkdir: return "mkdir";
    case MountOpKind::kSymlink: return "symlink";
    case MountOpKind::kWriteFile: return "write";
    case MountOpKind::kMaskWithNull: return "mask";
    case MountOpKind::kMakeReadOnly: return "ro";
    case MountOpKind::kBindFromRoot: return "bind-from-root";
  }
  return "?";
}

// "bind /usr" style one-liners, to make order assertions and failure output readable.
std::vector<std::string> summary(const MountPlan& plan) {
  std::vector<std::string> out;
  for (const auto& s : plan.steps) out.push_back(std::string(kind_name(s.kind)) + " " + s.target);
  return out;
}

std::string describe(const MountPlan& plan) { return ::testing::PrintToString(summary(plan)); }

// Index of the only step with this kind and target; fails the test when there is not exactly one.
size_t index_of(const MountPlan& plan, MountOpKind kind, const std::string& target) {
  size_t found = SIZE_MAX;
  size_t count = 0;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (plan.steps[i].kind == kind && plan.steps[i].target == target) {
      found = i;
      ++count;
    }
  }
  EXPECT_EQ(count, 1u) << kind_name(kind) << " " << target << " in " << describe(plan);
  return found;
}

const MountStep& step(const MountPlan& plan, MountOpKind kind, const std::string& target) {
  static const MountStep kMissing{};
  const size_t i = index_of(plan, kind, target);
  return i < plan.steps.size() ? plan.steps[i] : kMissing;
}

bool has_step(const MountPlan& plan, MountOpKind kind, const std::string& target) {
  return std::any_of(plan.steps.begin(), plan.steps.end(),
                     [&](const MountStep& s) { return s.kind == kind && s.target == target; });
}

std::map<std::string, PathAccess> landlock_map(const MountPlan& plan) {
  std::map<std::string, PathAccess> out;
  for (const auto& p : plan.landlock_paths) {
    EXPECT_TRUE(out.emplace(p.path, p.access).second) << "landlock path listed twice: " << p.path;
  }
  return out;
}

std::set<std::string> landlock_writable(const MountPlan& plan) {
  std::set<std::string> out;
  for (const auto& p : plan.landlock_paths) {
    if (p.access == PathAccess::kReadWrite) out.insert(p.path);
  }
  return out;
}

// Targets that stay writable once the plan has run: a writable bind or tmpfs that no later step
// turns read-only. (A read-only remount applies to the one mount at that target, not below it.)
std::set<std::string> writable_mounts(const MountPlan& plan) {
  std::set<std::string> out;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const MountStep& s = plan.steps[i];
    if ((s.kind != MountOpKind::kBind && s.kind != MountOpKind::kTmpfs) || s.read_only) continue;
    if (s.allow_devices) continue;  // device nodes: covered by the /dev rule, not a writable tree
    const bool made_read_only =
        std::any_of(plan.steps.begin() + static_cast<std::ptrdiff_t>(i) + 1, plan.steps.end(),
                    [&](const MountStep& later) {
                      return later.kind == MountOpKind::kMakeReadOnly && later.target == s.target;
                    });
    if (!made_read_only) out.insert(s.target);
  }
  return out;
}

policy::Policy base_policy() {
  policy::Policy p;
  p.argv = {"true"};
  p.workspace_source = "/home/alice/project";
  return p;
}

class MountPlanTest : public ::testing::Test {
 protected:
  MountPlanTest() { host_.dir("/home/alice/project").dir("/srv/data").file("/srv/config.toml", "x = 1\n"); }

  MountPlan plan(const policy::Policy& p) {
    auto r = plan_mounts(p, host_);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r.has_value() ? std::move(*r) : MountPlan{};
  }

  fakes::FakeHostView host_ = fakes::FakeHostView::debian();
};

TEST_F(MountPlanTest, IsDeterministic) {
  const policy::Policy p = base_policy();
  EXPECT_EQ(summary(plan(p)), summary(plan(p)));
}

// The prelude (generated /etc, /proc, /dev, /tmp) comes first: the child builds it while the
// parent still inspects the host for the rest.
TEST_F(MountPlanTest, TopLevelOrder) {
  const MountPlan m = plan(base_policy());
  const size_t passwd = index_of(m, MountOpKind::kWriteFile, "/etc/passwd");
  const size_t proc = index_of(m, MountOpKind::kProc, "/proc");
  const size_t dev_null = index_of(m, MountOpKind::kBind, "/dev/null");
  const size_t shm = index_of(m, MountOpKind::kTmpfs, "/dev/shm");
  const size_t tmp = index_of(m, MountOpKind::kTmpfs, "/tmp");
  const size_t usr = index_of(m, MountOpKind::kBind, "/usr");
  const size_t ssl = index_of(m, MountOpKind::kBind, "/etc/ssl");
  const size_t workspace = index_of(m, MountOpKind::kBind, "/workspace");
  EXPECT_EQ(passwd, 0u) << describe(m);
  EXPECT_LT(passwd, proc);
  EXPECT_LT(proc, dev_null);
  EXPECT_LT(dev_null, shm);
  EXPECT_LT(shm, tmp);
  EXPECT_LT(tmp, usr);
  EXPECT_LT(usr, ssl);
  EXPECT_LT(ssl, workspace);
}

TEST_F(MountPlanTest, PlanMountsIsThePreludeThenTheRest) {
  policy::Policy p = base_policy();
  p.binds.push_back({"/srv/data", "/tmp/data", false, "-v /srv/data:/tmp/data"});
  const MountPlan prelude = plan_prelude(p, host_);
  auto rest = plan_rest(p, host_);
  ASSERT_TRUE(rest.has_value()) << rest.error().message;
  std::vector<std::string> joined = summary(prelude);
  for (const auto& line : summary(*rest)) joined.push_back(line);
  EXPECT_EQ(summary(plan(p)), joined);
  // A bind into the prelude's /tmp lands on that tmpfs, not under it.
  EXPECT_TRUE(has_step(prelude, MountOpKind::kTmpfs, "/tmp"));
  EXPECT_TRUE(has_step(*rest, MountOpKind::kBind, "/tmp/data"));
  EXPECT_EQ(landlock_map(prelude).at("/tmp"), PathAccess::kReadWrite);
  EXPECT_EQ(landlock_map(*rest).at("/tmp/data"), PathAccess::kReadWrite);
  EXPECT_EQ(landlock_map(*rest).at("/"), PathAccess::kReadExec);
}

// The prelude is planned before the host is looked at: no /etc listing, no host file read.
TEST_F(MountPlanTest, ThePreludeReadsNoHostFileAndBindsOnlyDevices) {
  const MountPlan prelude = plan_prelude(base_policy(), host_);
  EXPECT_THAT(host_.reads(), IsEmpty());
  for (const auto& s : prelude.steps) {
    EXPECT_FALSE(s.kind == MountOpKind::kMakeReadOnly && s.target == "/") << "the rest ends with that";
    if (s.kind == MountOpKind::kBind) {
      EXPECT_EQ(s.source.rfind("/dev/", 0), 0u) << "only device nodes are bound in the prelude: " << s.source;
    }
    EXPECT_FALSE(s.target == "/usr" || s.target == "/workspace" || s.target == "/") << s.target;
  }
  EXPECT_TRUE(has_step(prelude, MountOpKind::kWriteFile, "/etc/hosts"));
  EXPECT_FALSE(has_step(prelude, MountOpKind::kBind, "/etc/ssl"));
}

// With the host's network the generated resolv.conf and hosts are the host's: the files it reads.
TEST_F(MountPlanTest, ThePreludeReadsOnlyResolvConfAndHostsWithTheHostsNetwork) {
  host_.file("/etc/resolv.conf", "nameserver 192.0.2.53\n");
  host_.file("/etc/hosts", "192.0.2.10 db.internal\n");
  policy::Policy p = base_policy();
  p.network = policy::NetworkMode::kHost;
  const MountPlan prelude = plan_prelude(p, host_);
  EXPECT_THAT(host_.reads(), ElementsAre("/etc/resolv.conf", "/etc/hosts"));
  EXPECT_EQ(step(prelude, MountOpKind::kWriteFile, "/etc/resolv.conf").data, "nameserver 192.0.2.53\n");
  EXPECT_EQ(step(prelude, MountOpKind::kWriteFile, "/etc/hosts").data, "192.0.2.10 db.internal\n127.0.1.1\tsbx\n");
}

TEST_F(MountPlanTest, ATreeRootfsGetsNoGeneratedEtcInItsPrelude) {
  host_.dir("/img").dir("/img/usr").dir("/img/etc");
  policy::Policy p = base_policy();
  p.rootfs = "/img";
  const MountPlan prelude = plan_prelude(p, host_);
  for (const auto& s : prelude.steps) EXPECT_NE(s.target.rfind("/etc/", 0), 0u) << s.target;
  EXPECT_TRUE(has_step(prelude, MountOpKind::kProc, "/proc"));
}

TEST_F(MountPlanTest, RootIsMadeReadOnlyLastAndOnlyOnce) {
  policy::Policy p = base_policy();
  p.binds.push_back({"/srv/data", "/data", false, "-v /srv/data:/data"});
  p.tmpfs.push_back({"/cache", 1 << 20, "--tmpfs /cache"});
  const MountPlan m = plan(p);
  ASSERT_FALSE(m.steps.empty());
  EXPECT_EQ(m.steps.back().kind, MountOpKind::kMakeReadOnly);
  EXPECT_EQ(m.steps.back().target, "/");
  EXPECT_FALSE(m.steps.back().optional) << "a writable root must fail the run, not be skipped";
  index_of(m, MountOpKind::kMakeReadOnly, "/");
}

TEST_F(MountPlanTest, HostSystemDirsAreReadOnlyOrSameSymlinks) {
  const MountPlan m = plan(base_policy());
  const MountStep& usr = step(m, MountOpKind::kBind, "/usr");
  EXPECT_EQ(usr.source, "/usr");
  EXPECT_TRUE(usr.read_only);
  EXPECT_TRUE(usr.target_is_dir);
  EXPECT_FALSE(usr.source_untrusted);
  EXPECT_FALSE(usr.allow_devices);
  for (const auto& [link, text] : std::map<std::string, std::string>{
           {"/bin", "usr/bin"}, {"/sbin", "usr/sbin"}, {"/lib", "usr/lib"}, {"/lib64", "usr/lib64"},
           {"/lib32", "usr/lib32"}}) {
    const MountStep& s = step(m, MountOpKind::kSymlink, link);
    EXPECT_EQ(s.source, text) << link;
  }
  // Absent on this host: nothing is planned for it (no empty mount point, no error).
  for (const auto& s : m.steps) EXPECT_NE(s.target, "/libx32");
}

TEST_F(MountPlanTest, NonMergedUsrHostBindsEachDirectory) {
  fakes::FakeHostView host;
  host.dir("/usr").dir("/bin").dir("/lib").other("/lib64");
  auto r = plan_mounts(base_policy(), host);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  for (const char* dir : {"/usr", "/bin", "/lib"}) {
    EXPECT_TRUE(step(*r, MountOpKind::kBind, dir).read_only) << dir;
  }
  for (const auto& s : r->steps) EXPECT_NE(s.target, "/lib64") << "not a directory, file or symlink";
}

TEST_F(MountPlanTest, GeneratedEtcIsWrittenInTheRootTmpfsBeforeItIsMadeReadOnly) {
  const MountPlan m = plan(base_policy());
  // No tmpfs of its own: the files go into the root tmpfs, which the last step makes read-only.
  EXPECT_FALSE(has_step(m, MountOpKind::kTmpfs, "/etc"));
  EXPECT_FALSE(has_step(m, MountOpKind::kMakeReadOnly, "/etc"));
  const size_t root_ro = index_of(m, MountOpKind::kMakeReadOnly, "/");
  for (const char* name : {"passwd", "group", "hosts", "hostname", "resolv.conf", "nsswitch.conf"}) {
    const std::string target = std::string("/etc/") + name;
    const size_t i = index_of(m, MountOpKind::kWriteFile, target);
    EXPECT_LT(i, root_ro) << target;
    EXPECT_EQ(m.steps[i].mode, 0644u) << target;
    EXPECT_FALSE(m.steps[i].target_is_dir);
  }
  for (size_t i = 0; i < m.steps.size(); ++i) {
    if (path_is_within(m.steps[i].target, "/etc")) {
      EXPECT_NE(m.steps[i].kind, MountOpKind::kTmpfs) << m.steps[i].target;
      EXPECT_LT(i, root_ro) << m.steps[i].target;
    }
  }
  EXPECT_THAT(step(m, MountOpKind::kWriteFile, "/etc/passwd").data,
              HasSubstr("sandbox:x:1000:1000:"));
}

TEST_F(MountPlanTest, HostEtcEntriesCopiedBoundOrLinked) {
  const MountPlan m = plan(base_policy());
  // Small regular file: copied.
  const MountStep& cache = step(m, MountOpKind::kWriteFile, "/etc/ld.so.cache");
  EXPECT_EQ(cache.data, std::string(2048, 'c'));
  EXPECT_EQ(step(m, MountOpKind::kWriteFile, "/etc/os-release").data, "ID=debian\n");
  // Above the copy limit: bound read-only as a file.
  const MountStep& magic = step(m, MountOpKind::kBind, "/etc/magic");
  EXPECT_EQ(magic.source, "/etc/magic");
  EXPECT_TRUE(magic.read_only);
  EXPECT_FALSE(magic.target_is_dir);
  EXPECT_FALSE(has_step(m, MountOpKind::kWriteFile, "/etc/magic"));
  // Directories: bound read-only.
  for (const char* dir : {"/etc/ssl", "/etc/ca-certificates", "/etc/python3.11", "/etc/java-17-openjdk"}) {
    const MountStep& s = step(m, MountOpKind::kBind, dir);
    EXPECT_TRUE(s.read_only) << dir;
    EXPECT_TRUE(s.target_is_dir) << dir;
    EXPECT_EQ(s.source, dir);
  }
  // Symlinks: the same link text.
  EXPECT_EQ(step(m, MountOpKind::kSymlink, "/etc/localtime").source, "/usr/share/zoneinfo/Etc/UTC");
}

TEST_F(MountPlanTest, NoHostSecretsOrPrivateTrees) {
  policy::Policy p = base_policy();
  p.network = policy::NetworkMode::kHost;
  const MountPlan m = plan(p);
  for (const auto& s : m.steps) {
    for (const char* hidden : {"/home", "/root", "/var", "/run", "/sys", "/srv", "/etc/ssh"}) {
      EXPECT_FALSE(path_is_within(s.target, hidden)) << kind_name(s.kind) << " " << s.target;
      if (s.kind == MountOpKind::kBind && s.source != p.workspace_source) {
        EXPECT_FALSE(path_is_within(s.source, hidden)) << "bind from " << s.source;
      }
    }
    for (const char* secret : {"/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/machine-id"}) {
      EXPECT_NE(s.target, secret);
      EXPECT_NE(s.source, secret);
    }
    EXPECT_THAT(s.data, Not(HasSubstr("SECRETHASH"))) << s.target;
    EXPECT_THAT(s.data, Not(HasSubstr("alice"))) << s.target;
  }
  for (const auto& read : host_.reads()) {
    EXPECT_THAT(read, Not(HasSubstr("shadow")));
    EXPECT_NE(read, "/etc/passwd");
  }
}

TEST_F(MountPlanTest, ProcIsFreshWithMasksAfterIt) {
  const MountPlan m = plan(base_policy());
  const size_t proc = index_of(m, MountOpKind::kProc, "/proc");
  // Masked: what exists and others may read or write. Not: what only the host's root may use
  // (kcore 0400, sysrq-trigger 0200) and what this kernel lacks.
  for (const char* file : {"/proc/kcore", "/proc/sysrq-trigger", "/proc/sched_debug", "/proc/latency_stats"}) {
    for (const auto& s : m.steps) EXPECT_FALSE(s.kind == MountOpKind::kMaskWithNull && s.target == file) << file;
  }
  for (const char* file : {"/proc/keys", "/proc/timer_list"}) {
    const size_t i = index_of(m, MountOpKind::kMaskWithNull, file);
    ASSERT_LT(i, m.steps.size());
    EXPECT_GT(i, proc) << file;
    EXPECT_FALSE(m.steps[i].target_is_dir) << file;
    EXPECT_TRUE(m.steps[i].optional) << file << " may not exist on every kernel";
  }
  // Only /proc/sys gets a read-only mount: the rest of /proc is already unwritable (Landlock
  // grants no write there, and its files belong to the host's unmapped root).
  const size_t sys = index_of(m, MountOpKind::kMakeReadOnly, "/proc/sys");
  ASSERT_LT(sys, m.steps.size());
  EXPECT_GT(sys, proc);
  EXPECT_TRUE(m.steps[sys].target_is_dir);
  for (const char* dir : {"/proc/irq", "/proc/bus", "/proc/fs", "/proc/acpi", "/proc/scsi"}) {
    for (const auto& s : m.steps) EXPECT_FALSE(s.kind == MountOpKind::kMakeReadOnly && s.target == dir) << dir;
  }
  // Nothing else touches /proc and nothing binds the host's /proc.
  for (const auto& s : m.steps) {
    if (s.kind == MountOpKind::kBind) {
      EXPECT_FALSE(path_is_within(s.source, "/proc")) << s.source;
    }
  }
}

TEST_F(MountPlanTest, DevHasOnlyTheSafeDevicesAndIsReadOnly) {
  const MountPlan m = plan(base_policy());
  // /dev is a directory of the root tmpfs, read-only with the root.
  EXPECT_FALSE(has_step(m, MountOpKind::kTmpfs, "/dev"));
  const size_t dev_ro = index_of(m, MountOpKind::kMakeReadOnly, "/");
  std::vector<std::string> devices;
  for (size_t i = 0; i < m.steps.size(); ++i) {
    const MountStep& s = m.steps[i];
    if (s.allow_devices) {
      devices.push_back(s.target);
      EXPECT_EQ(s.kind, MountOpKind::kBind);
      EXPECT_EQ(s.source, s.target) << "the host's own node";
      EXPECT_FALSE(s.target_is_dir);
      EXPECT_LT(i, dev_ro);
    }
  }
  EXPECT_THAT(devices, ElementsAre("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
                                   "/dev/tty"));
  const size_t pts = index_of(m, MountOpKind::kDevpts, "/dev/pts");
  EXPECT_GT(pts, index_of(m, MountOpKind::kBind, "/dev/null"));
  EXPECT_LT(pts, dev_ro);
  EXPECT_EQ(step(m, MountOpKind::kSymlink, "/dev/ptmx").source, "pts/ptmx");
  EXPECT_EQ(step(m, MountOpKind::kSymlink, "/dev/fd").source, "/proc/self/fd");
  EXPECT_EQ(step(m, MountOpKind::kSymlink, "/dev/stdin").source, "/proc/self/fd/0");
  EXPECT_EQ(step(m, MountOpKind::kSymlink, "/dev/stdout").source, "/proc/self/fd/1");
  EXPECT_EQ(step(m, MountOpKind::kSymlink, "/dev/stderr").source, "/proc/self/fd/2");
  const size_t shm = index_of(m, MountOpKind::kTmpfs, "/dev/shm");
  EXPECT_FALSE(m.steps[shm].read_only);
  EXPECT_THAT(m.steps[shm].data, HasSubstr("mode=1777"));
  for (const char* never : {"/dev/mem", "/dev/kmem", "/dev/sda", "/dev/kvm", "/dev/console", "/dev/fuse"}) {
    EXPECT_FALSE(has_step(m, MountOpKind::kBind, never)) << never;
  }
}

TEST_F(MountPlanTest, TmpIsAWritableTmpfsOfThePolicySize) {
  policy::Policy p = base_policy();
  p.tmp_size_bytes = 12345678;
  const MountPlan m = plan(p);
  const MountStep& tmp = step(m, MountOpKind::kTmpfs, "/tmp");
  EXPECT_FALSE(tmp.read_only);
  EXPECT_EQ(tmp.data, "size=12345678,mode=1777");
  const auto landlock = landlock_map(m);
  ASSERT_TRUE(landlock.count("/tmp"));
  EXPECT_EQ(landlock.at("/tmp"), PathAccess::kReadWrite);
  EXPECT_EQ(landlock.at("/dev/shm"), PathAccess::kReadWrite);
}

TEST_F(MountPlanTest, ReadOnlyLeavesNoWritableTmpOrShm) {
  policy::Policy p = base_policy();
  p.read_only = true;
  const MountPlan m = plan(p);
  EXPECT_TRUE(step(m, MountOpKind::kTmpfs, "/tmp").read_only);
  EXPECT_TRUE(step(m, MountOpKind::kTmpfs, "/dev/shm").read_only);
  EXPECT_TRUE(step(m, MountOpKind::kBind, "/workspace").read_only);
  EXPECT_THAT(landlock_writable(m), IsEmpty());
  EXPECT_THAT(writable_mounts(m), IsEmpty()) << describe(m);
}

TEST_F(MountPlanTest, ReadOnlyStillHonoursExplicitWritableMounts) {
  policy::Policy p = base_policy();
  p.read_only = true;
  p.workspace_writable = true;
  p.binds.push_back({"/srv/data", "/data", false, "-v /srv/data:/data"});
  p.tmpfs.push_back({"/cache", 1 << 20, "--tmpfs /cache"});
  const MountPlan m = plan(p);
  EXPECT_THAT(landlock_writable(m), ::testing::UnorderedElementsAre("/workspace", "/data", "/cache"));
  EXPECT_EQ(writable_mounts(m), landlock_writable(m));
}

TEST_F(MountPlanTest, WorkspaceReadOnlyByDefault) {
  const MountPlan m = plan(base_policy());
  const MountStep& ws = step(m, MountOpKind::kBind, "/workspace");
  EXPECT_EQ(ws.source, "/home/alice/project");
  EXPECT_TRUE(ws.read_only);
  EXPECT_TRUE(ws.target_is_dir);
  EXPECT_TRUE(ws.source_untrusted) << "the caller named it: no symlink may be swapped in";
  EXPECT_FALSE(ws.allow_devices);
  EXPECT_EQ(landlock_map(m).count("/workspace"), 0u);
}

TEST_F(MountPlanTest, WorkspaceWritableWithRw) {
  policy::Policy p = base_policy();
  p.workspace_writable = true;
  const MountPlan m = plan(p);
  EXPECT_FALSE(step(m, MountOpKind::kBind, "/workspace").read_only);
  EXPECT_EQ(landlock_map(m).at("/workspace"), PathAccess::kReadWrite);
}

TEST_F(MountPlanTest, NoWorkspaceWhenThePolicyHasNone) {
  policy::Policy p = base_policy();
  p.workspace_source.clear();
  p.workspace_writable = true;
  const MountPlan m = plan(p);
  for (const auto& s : m.steps) EXPECT_NE(s.target, "/workspace");
  EXPECT_EQ(landlock_map(m).count("/workspace"), 0u);
}

TEST_F(MountPlanTest, UserBindsInOrderAfterTheSystemMounts) {
  policy::Policy p = base_policy();
  p.binds.push_back({"/srv/data", "/data", true, "-v /srv/data:/data:ro"});
  p.binds.push_back({"/srv/config.toml", "/etc/app.toml", false, "-v /srv/config.toml:/etc/app.toml"});
  p.binds.push_back({"/srv/data", "/out", false, "-v /srv/data:/out"});
  const MountPlan m = plan(p);
  const size_t ws = index_of(m, MountOpKind::kBind, "/workspace");
  const size_t data = index_of(m, MountOpKind::kBind, "/data");
  const size_t conf = index_of(m, MountOpKind::kBind, "/etc/app.toml");
  const size_t out = index_of(m, MountOpKind::kBind, "/out");
  EXPECT_LT(ws, data);
  EXPECT_LT(data, conf);
  EXPECT_LT(conf, out);
  EXPECT_LT(out, m.steps.size() - 1);

  EXPECT_TRUE(m.steps[data].read_only);
  EXPECT_TRUE(m.steps[data].target_is_dir);
  EXPECT_FALSE(m.steps[conf].read_only);
  EXPECT_FALSE(m.steps[conf].target_is_dir) << "a file bind needs a file mount point";
  EXPECT_EQ(m.steps[conf].source, "/srv/config.toml");
  for (size_t i : {data, conf, out}) {
    EXPECT_TRUE(m.steps[i].source_untrusted);
    EXPECT_FALSE(m.steps[i].allow_devices) << "user binds never keep device access";
    EXPECT_FALSE(m.steps[i].optional) << "a missing user bind is an error";
  }
  const auto landlock = landlock_map(m);
  EXPECT_EQ(landlock.count("/data"), 0u) << "read-only bind: no write rule";
  EXPECT_EQ(landlock.at("/etc/app.toml"), PathAccess::kReadWrite);
  EXPECT_EQ(landlock.at("/out"), PathAccess::kReadWrite);
}

TEST_F(MountPlanTest, UserTmpfsMountsAreWritableWithTheirSize) {
  policy::Policy p = base_policy();
  p.tmpfs.push_back({"/cache", 128ull << 20, "--tmpfs /cache:size=128m"});
  p.tmpfs.push_back({"/scratch", 4096, "--tmpfs /scratch:size=4k"});
  const MountPlan m = plan(p);
  const size_t cache = index_of(m, MountOpKind::kTmpfs, "/cache");
  const size_t scratch = index_of(m, MountOpKind::kTmpfs, "/scratch");
  EXPECT_LT(cache, scratch);
  EXPECT_EQ(m.steps[cache].data, "size=134217728,mode=1777");
  EXPECT_EQ(m.steps[scratch].data, "size=4096,mode=1777");
  EXPECT_FALSE(m.steps[cache].read_only);
  EXPECT_EQ(landlock_map(m).at("/cache"), PathAccess::kReadWrite);
  EXPECT_EQ(landlock_map(m).at("/scratch"), PathAccess::kReadWrite);
}

TEST_F(MountPlanTest, LandlockBaseRules) {
  const MountPlan m = plan(base_policy());
  const auto landlock = landlock_map(m);
  EXPECT_EQ(landlock.at("/"), PathAccess::kReadExec);
  EXPECT_EQ(landlock.at("/dev"), PathAccess::kDevices);
  for (const auto& p : m.landlock_paths) {
    auto normalized = normalize_sandbox_path(p.path);
    ASSERT_TRUE(normalized.has_value()) << p.path;
    EXPECT_EQ(*normalized, p.path);
    if (p.access == PathAccess::kDevices) {
      EXPECT_EQ(p.path, "/dev") << "device rights only for /dev";
    }
  }
}

// The property the sandbox relies on: Landlock grants write access exactly where a writable
// mount is, so neither layer silently widens or contradicts the other.
TEST_F(MountPlanTest, LandlockWritePathsMatchWritableMountsForManyPolicies) {
  for (int mask = 0; mask < 32; ++mask) {
    policy::Policy p = base_policy();
    p.read_only = mask & 1;
    p.workspace_writable = mask & 2;
    if (mask & 4) p.workspace_source.clear();
    if (mask & 8) {
      p.binds.push_back({"/srv/data", "/data", false, "-v"});
      p.binds.push_back({"/srv/data", "/ro", true, "-v"});
      p.binds.push_back({"/srv/config.toml", "/tmp/app.toml", true, "-v"});
    }
    if (mask & 16) p.tmpfs.push_back({"/cache", 1 << 20, "--tmpfs"});
    const MountPlan m = plan(p);
    EXPECT_EQ(writable_mounts(m), landlock_writable(m)) << "mask " << mask << ": " << describe(m);
  }
}

TEST_F(MountPlanTest, EveryTargetIsANormalizedAbsolutePath) {
  policy::Policy p = base_policy();
  p.binds.push_back({"/srv/data", "/data", false, "-v"});
  p.tmpfs.push_back({"/cache", 1 << 20, "--tmpfs"});
  const MountPlan m = plan(p);
  for (const auto& s : m.steps) {
    auto normalized = normalize_sandbox_path(s.target);
    ASSERT_TRUE(normalized.has_value()) << s.target;
    EXPECT_EQ(*normalized, s.target);
    if (s.kind == MountOpKind::kBind) {
      EXPECT_EQ(s.source.front(), '/') << s.source;
    }
  }
}

TEST_F(MountPlanTest, PrebuiltTreeMustBeADirectory) {
  policy::Policy p = base_policy();
  p.rootfs = "/srv/config.toml";
  auto r = plan_mounts(p, host_);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "--rootfs /srv/config.toml: not a directory");
  p.rootfs = "/nonexistent";
  auto missing = plan_mounts(p, host_);
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message, HasSubstr("--rootfs /nonexistent"));
}

class PrebuiltTree : public MountPlanTest {
 protected:
  PrebuiltTree() {
    host_.dir("/img").dir("/img/usr").dir("/img/etc").file("/img/etc/resolv.conf", "nameserver 10.0.0.1\n");
    for (const char* name : {"passwd", "group", "hosts", "hostname", "nsswitch.conf"}) {
      host_.file(std::string("/img/etc/") + name, "the tree's\n");
    }
    host_.symlink("/img/bin", "usr/bin").file("/img/README", "hi");
    host_.dir("/img/var").dir("/img/home");
    for (const char* managed : {"proc", "dev", "sys", "tmp", "run", "workspace"}) {
      host_.dir(std::string("/img/") + managed);
    }
    host_.other("/img/socket");
  }
  policy::Policy tree_policy() {
    policy::Policy p = base_policy();
    p.rootfs = "/img";
    return p;
  }
};

constexpr std::array<const char*, 6> kGeneratedEtc{"passwd", "group", "hosts", "hostname", "resolv.conf",
                                                   "nsswitch.conf"};

TEST_F(PrebuiltTree, TopLevelEntriesAreMirroredUntrustedAndReadOnly) {
  const MountPlan m = plan(tree_policy());
  for (const char* dir : {"/usr", "/etc", "/var", "/home"}) {
    const MountStep& s = step(m, MountOpKind::kBind, dir);
    EXPECT_EQ(s.source, "/img" + std::string(dir));
    EXPECT_TRUE(s.read_only) << dir;
    EXPECT_TRUE(s.source_untrusted) << dir << ": the tree is not trusted";
  }
  EXPECT_FALSE(step(m, MountOpKind::kBind, "/README").target_is_dir);
  EXPECT_EQ(step(m, MountOpKind::kSymlink, "/bin").source, "usr/bin");
  EXPECT_FALSE(has_step(m, MountOpKind::kBind, "/socket"));
  // Nothing from the host's own system directories, and no host /etc entry.
  EXPECT_FALSE(has_step(m, MountOpKind::kTmpfs, "/etc"));
  for (const auto& s : m.steps) {
    if (s.kind == MountOpKind::kWriteFile) {
      EXPECT_TRUE(path_is_within(s.target, "/tmp/etc")) << s.target;
    }
    if (s.kind == MountOpKind::kBind && !s.allow_devices && s.target != "/workspace") {
      EXPECT_TRUE(path_is_within(s.source, "/img")) << s.source;
    }
  }
  EXPECT_EQ(m.steps.back().kind, MountOpKind::kMakeReadOnly);
  EXPECT_EQ(m.steps.back().target, "/");
}

TEST_F(PrebuiltTree, ManagedEntriesComeFromSbxNotTheTree) {
  const MountPlan m = plan(tree_policy());
  for (const auto& s : m.steps) {
    if (s.kind != MountOpKind::kBind) continue;
    for (const char* managed : {"/img/proc", "/img/dev", "/img/sys", "/img/tmp", "/img/run", "/img/workspace"}) {
      EXPECT_NE(s.source, managed);
    }
  }
  index_of(m, MountOpKind::kProc, "/proc");
  index_of(m, MountOpKind::kBind, "/dev/null");
  index_of(m, MountOpKind::kTmpfs, "/tmp");
  EXPECT_EQ(step(m, MountOpKind::kBind, "/workspace").source, "/home/alice/project");
}

// The sandbox's identity, names and resolvers do not depend on its root: the generated files are
// written where /tmp will cover them, and bound read-only over the tree's after its /etc.
TEST_F(PrebuiltTree, GeneratedEtcFilesAreBoundOverTheTreesOwn) {
  policy::Policy p = tree_policy();
  p.hostname = "box";
  const MountPlan m = plan(p);
  const size_t etc = index_of(m, MountOpKind::kBind, "/etc");
  const size_t tmp = index_of(m, MountOpKind::kTmpfs, "/tmp");
  for (const char* name : kGeneratedEtc) {
    const std::string staged = std::string("/tmp/etc/") + name;
    const size_t written = index_of(m, MountOpKind::kWriteFile, staged);
    const size_t bound = index_of(m, MountOpKind::kBindFromRoot, std::string("/etc/") + name);
    ASSERT_LT(bound, m.steps.size());
    EXPECT_EQ(m.steps[bound].source, staged);
    EXPECT_TRUE(m.steps[bound].read_only);
    EXPECT_FALSE(m.steps[bound].target_is_dir);
    EXPECT_LT(written, etc) << name;
    EXPECT_LT(etc, bound) << name << ": over the tree's file, so after the tree's /etc";
    EXPECT_LT(bound, tmp) << name << ": cloned before /tmp covers the staged file";
  }
  EXPECT_EQ(step(m, MountOpKind::kWriteFile, "/tmp/etc/hostname").data, "box\n");
  EXPECT_THAT(step(m, MountOpKind::kWriteFile, "/tmp/etc/passwd").data,
              HasSubstr("sandbox:x:1000:1000:"));
  EXPECT_THAT(step(m, MountOpKind::kWriteFile, "/tmp/etc/hosts").data, HasSubstr("127.0.1.1\tbox\n"));
  EXPECT_THAT(m.notes, IsEmpty());
  // Nothing goes into the root tmpfs's /etc, which the tree's covers.
  EXPECT_THAT(describe(m), Not(HasSubstr("write /etc/")));
}

TEST_F(PrebuiltTree, ResolversAreTheHostsOnlyWithHostNetwork) {
  policy::Policy p = tree_policy();
  EXPECT_EQ(step(plan(p), MountOpKind::kWriteFile, "/tmp/etc/resolv.conf").data,
            "# sbx: no network in this sandbox\n");
  p.network = policy::NetworkMode::kHost;
  const MountPlan m = plan(p);
  EXPECT_EQ(step(m, MountOpKind::kWriteFile, "/tmp/etc/resolv.conf").data, "nameserver 192.0.2.53\n");
  EXPECT_FALSE(has_step(m, MountOpKind::kBind, "/etc/resolv.conf")) << "the generated copy, not a host bind";
}

TEST_F(PrebuiltTree, AFileTheTreeLacksIsNamedNotCreated) {
  fakes::FakeHostView host = fakes::FakeHostView::debian();
  host.dir("/img").dir("/img/etc").file("/img/etc/passwd", "x\n").file("/img/etc/group", "x\n");
  host.symlink("/img/etc/resolv.conf", "/run/resolv.conf");
  auto r = plan_mounts(tree_policy(), host);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(has_step(*r, MountOpKind::kBindFromRoot, "/etc/passwd"));
  EXPECT_TRUE(has_step(*r, MountOpKind::kBindFromRoot, "/etc/group"));
  for (const char* absent : {"/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/etc/nsswitch.conf"}) {
    EXPECT_FALSE(has_step(*r, MountOpKind::kBindFromRoot, absent)) << absent << ": nothing to cover";
  }
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_THAT(r->notes[0], HasSubstr("no regular /etc/hosts /etc/hostname /etc/resolv.conf /etc/nsswitch.conf"));
}

TEST_F(PrebuiltTree, ATreeWithoutEtcGetsANote) {
  fakes::FakeHostView host = fakes::FakeHostView::debian();
  host.dir("/img").dir("/img/usr");
  auto r = plan_mounts(tree_policy(), host);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  for (const auto& s : r->steps) EXPECT_NE(s.kind, MountOpKind::kBindFromRoot) << s.target;
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_THAT(r->notes[0], HasSubstr("no /etc directory"));
}

// The root is built on a host directory of the child's own mount namespace before the rest's bind
// sources are cloned; covering one of them (or a directory above one) would bind the new root's
// contents instead of the host's.
class EarlyStagingTest : public ::testing::Test {
 protected:
  EarlyStagingTest() { host_.dir("/tmp").dir("/mnt").dir("/opt").dir("/tmp/work").dir("/mnt/data"); }

  fakes::FakeHostView host_ = fakes::FakeHostView::debian();
};

TEST_F(EarlyStagingTest, TmpWhenNothingLiesInIt) {
  EXPECT_EQ(early_staging_dir(base_policy(), host_), "/tmp");
}

TEST_F(EarlyStagingTest, AnotherDirectoryWhenTheWorkspaceIsInTmp) {
  policy::Policy p = base_policy();
  p.workspace_source = "/tmp/work";
  EXPECT_EQ(early_staging_dir(p, host_), "/mnt");
  p.workspace_source = "/tmp";
  EXPECT_EQ(early_staging_dir(p, host_), "/mnt");
}

TEST_F(EarlyStagingTest, SkipsEveryCandidateABindSourceOrTheTreeIsIn) {
  policy::Policy p = base_policy();
  p.workspace_source = "/tmp/work";
  p.binds.push_back({"/mnt/data", "/data", true, "-v /mnt/data:/data"});
  EXPECT_EQ(early_staging_dir(p, host_), "/srv") << "/srv exists on the fake host";
  host_.dir("/srv/tree");
  p.rootfs = "/srv/tree";
  EXPECT_EQ(early_staging_dir(p, host_), "/opt");
}

TEST_F(EarlyStagingTest, ASourceAboveEveryCandidateLeavesNone) {
  policy::Policy p = base_policy();
  p.binds.push_back({"/", "/host", true, "-v /:/host"});
  EXPECT_EQ(early_staging_dir(p, host_), std::nullopt);
  p.binds.clear();
  p.workspace_source = "/";
  EXPECT_EQ(early_staging_dir(p, host_), std::nullopt);
}

TEST_F(EarlyStagingTest, ASiblingWithTheSamePrefixIsNoConflict) {
  policy::Policy p = base_policy();
  p.workspace_source = "/tmpdata";
  EXPECT_EQ(early_staging_dir(p, host_), "/tmp");
}

TEST_F(EarlyStagingTest, OnlyRealDirectoriesAreCandidates) {
  fakes::FakeHostView host = fakes::FakeHostView::debian();
  host.symlink("/tmp", "private/tmp").file("/mnt", "").dir("/opt");
  policy::Policy p = base_policy();
  p.workspace_source = "/home/alice/project";
  EXPECT_EQ(early_staging_dir(p, host), "/srv");
}

}  // namespace
}  // namespace sbx::mounts
