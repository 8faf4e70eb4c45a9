#include "supervisor/verdict.h"

#include <gtest/gtest.h>

#include <string>

namespace sbx::supervisor {
namespace {

std::string decode_base64(const std::string& in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = value(c);
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

TEST(EncodeOutputTest, Utf8StaysText) {
  const std::string s = "héllo ✓ 🎉\n";
  const auto j = encode_output(s);
  ASSERT_TRUE(j.contains("text"));
  EXPECT_EQ(j["text"].get<std::string>(), s);
}

TEST(EncodeOutputTest, AnythingElseIsBase64AndRoundTrips) {
  for (const std::string& s : {std::string("\xff\xfe"), std::string("a\x80"), std::string("\xc0\xaf"),
                               std::string("\xed\xa0\x80"), std::string("x\xf4\x90\x80\x80"), std::string("\xe2\x82")}) {
    const auto j = encode_output(s);
    ASSERT_TRUE(j.contains("base64")) << "input of " << s.size() << " bytes";
    EXPECT_EQ(decode_base64(j["base64"].get<std::string>()), s);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  const auto j = encode_output(all);
  ASSERT_TRUE(j.contains("base64"));
  EXPECT_EQ(decode_base64(j["base64"].get<std::string>()), all);
}

TEST(EncodeOutputTest, NulBytesAreValidUtf8Text) {
  const std::string s("a\0b", 3);
  const auto j = encode_output(s);
  ASSERT_TRUE(j.contains("text"));
  EXPECT_EQ(j["text"].get<std::string>(), s);
}

TEST(VerdictJsonTest, HasEveryDocumentedFieldInOrder) {
  Verdict v;
  v.id = new_run_id();
  v.argv = {"python3", "x.py"};
  v.policy_name = "python";
  v.policy_sha256 = std::string(64, 'a');
  v.status = RunStatus::kTimeout;
  v.timed_out = true;
  v.exit_code = std::nullopt;
  v.signal = 15;
  StreamReport out;
  out.bytes = 3;
  out.captured = true;
  out.text = "hi\n";
  v.stdout_report = out;
  v.redactions["TOKEN"] = 2;
  const auto j = verdict_json(v);
  std::vector<std::string> keys;
  for (const auto& [k, _] : j.items()) keys.push_back(k);
  const std::vector<std::string> expected = {"version", "id", "argv", "policy", "status", "exit_code", "signal",
                                             "timed_out", "oom_killed", "duration_ms", "cpu_user_ms",
                                             "cpu_system_ms", "peak_memory_bytes", "pids_peak", "stdout", "stderr",
                                             "redactions", "layers", "error"};
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(j["version"], kVerdictVersion);
  EXPECT_EQ(j["policy"], nlohmann::ordered_json({{"name", "python"}, {"sha256", std::string(64, 'a')}}));
  EXPECT_EQ(j["status"], "timeout");
  EXPECT_TRUE(j["exit_code"].is_null());
  EXPECT_EQ(j["signal"], 15);
  EXPECT_EQ(j["stdout"]["text"], "hi\n");
  EXPECT_EQ(j["stdout"]["bytes"], 3);
  EXPECT_TRUE(j["stderr"].is_null());
  EXPECT_EQ(j["redactions"]["TOKEN"], 2);
  EXPECT_TRUE(j["error"].is_null());
  EXPECT_EQ(v.id.size(), 16u);
  EXPECT_NE(new_run_id(), new_run_id());
}

TEST(VerdictJsonTest, StatusNames) {
  EXPECT_STREQ(run_status_name(RunStatus::kExited), "exited");
  EXPECT_STREQ(run_status_name(RunStatus::kSignaled), "signaled");
  EXPECT_STREQ(run_status_name(RunStatus::kTimeout), "timeout");
  EXPECT_STREQ(run_status_name(RunStatus::kOom), "oom");
  EXPECT_STREQ(run_status_name(RunStatus::kOutputLimit), "output_limit");
  EXPECT_STREQ(run_status_name(RunStatus::kSetupError), "setup_error");
}

}  // namespace
}  // namespace sbx::supervisor
