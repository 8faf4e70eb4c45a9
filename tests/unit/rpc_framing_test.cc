// sbx.rpc/1 framing and envelopes: hostile byte streams give clear JSON-RPC errors, never a
// crash, and the stream stays usable after a bad line.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rpc/encoding.h"
#include "rpc/jsonrpc.h"
#include "rpc/line_framer.h"

namespace sbx::rpc {
namespace {

std::vector<Frame> feed_all(LineFramer& framer, const std::vector<std::string>& chunks) {
  std::vector<Frame> frames;
  for (const auto& c : chunks) framer.feed(c, frames);
  return frames;
}

TEST(LineFramerTest, JoinsLinesSplitAcrossReads) {
  LineFramer framer(1024);
  const auto frames = feed_all(framer, {"{\"a\"", ":1}\n{\"b\":2", "}\r\n", "\n  \n"});
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].line, "{\"a\":1}");
  EXPECT_EQ(frames[1].line, "{\"b\":2}");  // CR stripped, blank lines dropped
  EXPECT_FALSE(framer.finish().has_value());
}

TEST(LineFramerTest, OversizedLineIsSkippedAndTheNextOneStillArrives) {
  LineFramer framer(16);
  std::vector<Frame> frames;
  framer.feed(std::string(10, 'x'), frames);
  framer.feed(std::string(100, 'y'), frames);  // now over the limit, still no newline
  EXPECT_TRUE(frames.empty());
  framer.feed(std::string(1000, 'z') + "\n{\"ok\":1}\n", frames);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_TRUE(frames[0].oversized);
  EXPECT_EQ(frames[0].bytes, 1110u);
  EXPECT_TRUE(frames[0].line.empty());
  EXPECT_FALSE(frames[1].oversized);
  EXPECT_EQ(frames[1].line, "{\"ok\":1}");
}

TEST(LineFramerTest, LineAtExactlyTheLimitIsKept) {
  LineFramer framer(8);
  const auto frames = feed_all(framer, {"12345678\n123456789\n"});
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].line, "12345678");
  EXPECT_TRUE(frames[1].oversized);
}

TEST(LineFramerTest, LastLineWithoutNewlineIsDeliveredAtEof) {
  LineFramer framer(64);
  std::vector<Frame> frames;
  framer.feed("{\"first\":1}\n{\"last\":2}", frames);
  ASSERT_EQ(frames.size(), 1u);
  auto last = framer.finish();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->line, "{\"last\":2}");
  EXPECT_FALSE(framer.finish().has_value());
}

TEST(LineFramerTest, OversizedLastLineAtEofIsReported) {
  LineFramer framer(4);
  std::vector<Frame> frames;
  framer.feed("0123456789", frames);
  auto last = framer.finish();
  ASSERT_TRUE(last.has_value());
  EXPECT_TRUE(last->oversized);
}

Json reply_of(const Incoming& in) { return Json::parse(in.error_reply); }

TEST(ParseMessageTest, GarbageIsAParseErrorWithNullId) {
  for (std::string_view line : {"garbage", "{", "{\"jsonrpc\":\"2.0\",", "\x01\x02\xff", "nul\0l"}) {
    const Incoming in = parse_message(line);
    ASSERT_EQ(in.kind, Incoming::Kind::kInvalid) << line;
    const Json reply = reply_of(in);
    EXPECT_EQ(reply["error"]["code"], kParseError) << line;
    EXPECT_TRUE(reply["id"].is_null());
    EXPECT_EQ(reply["jsonrpc"], "2.0");
  }
}

TEST(ParseMessageTest, WrongShapesAreInvalidRequestsThatSayWhy) {
  struct Case {
    std::string line;
    std::string says;
    bool keeps_id;
  };
  const std::vector<Case> cases = {
      {"[1,2]", "batches are not supported", false},
      {"42", "must be a JSON object", false},
      {"\"run\"", "must be a JSON object", false},
      {R"({"jsonrpc":"2.0","id":{"x":1},"method":"run"})", "\"id\" must be a string or an integer", false},
      {R"({"jsonrpc":"2.0","id":1.5,"method":"run"})", "\"id\" must be a string or an integer", false},
      {R"({"jsonrpc":"2.0","id":null,"method":"run"})", "\"id\" must be a string or an integer", false},
      {R"({"id":7,"method":"run"})", "\"jsonrpc\" must be \"2.0\"", true},
      {R"({"jsonrpc":"1.0","id":7,"method":"run"})", "\"jsonrpc\" must be \"2.0\"", true},
      {R"({"jsonrpc":"2.0","id":7})", "\"method\" is missing", true},
      {R"({"jsonrpc":"2.0","id":7,"method":42})", "\"method\" must be a string", true},
      {R"({"jsonrpc":"2.0","id":7,"method":"run","params":"argv"})", "\"params\" must be an object", true},
  };
  for (const auto& c : cases) {
    const Incoming in = parse_message(c.line);
    ASSERT_EQ(in.kind, Incoming::Kind::kInvalid) << c.line;
    const Json reply = reply_of(in);
    EXPECT_EQ(reply["error"]["code"], kInvalidRequest) << c.line;
    EXPECT_NE(reply["error"]["message"].get<std::string>().find(c.says), std::string::npos)
        << c.line << " -> " << reply["error"]["message"];
    if (c.keeps_id) {
      EXPECT_EQ(reply["id"], 7) << c.line;
    }
  }
}

TEST(ParseMessageTest, RequestsNotificationsAndResponses) {
  Incoming r = parse_message(R"({"jsonrpc":"2.0","id":"a","method":"health"})");
  EXPECT_EQ(r.kind, Incoming::Kind::kRequest);
  EXPECT_EQ(r.id, "a");
  EXPECT_TRUE(r.params.is_object());
  Incoming n = parse_message(R"({"jsonrpc":"2.0","method":"cancel","params":{"id":1}})");
  EXPECT_EQ(n.kind, Incoming::Kind::kNotification);
  EXPECT_EQ(n.params["id"], 1);
  Incoming resp = parse_message(R"({"jsonrpc":"2.0","id":3,"result":{}})");
  EXPECT_EQ(resp.kind, Incoming::Kind::kResponse);
}

TEST(ParseMessageTest, DeepNestingDoesNotCrash) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const Incoming in = parse_message(deep);
  EXPECT_EQ(in.kind, Incoming::Kind::kInvalid);
}

TEST(RepliesTest, InvalidUtf8InStringsIsReplacedNotThrown) {
  const std::string line = result_line(1, Json{{"text", std::string("ok\xff\xfe")}});
  const Json parsed = Json::parse(line);
  EXPECT_EQ(parsed["result"]["text"], "ok\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(RepliesTest, NewlinesInsideValuesNeverBreakTheFraming) {
  const std::string line = error_line("x", kRunFailed, "two\nlines", Json{{"stderr", "a\nb\r\n"}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(Json::parse(line)["error"]["data"]["stderr"], "a\nb\r\n");
}

TEST(EncodingTest, Base64RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    auto decoded = base64_decode(base64_encode(bytes));
    ASSERT_TRUE(decoded) << i;
    EXPECT_EQ(*decoded, bytes);
    bytes.push_back(static_cast<char>(i * 37));
  }
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
}

TEST(EncodingTest, Base64IsStrict) {
  for (std::string_view bad : {"Zm9", "Zm9v!A==", "Z===", "Zm=v", "Zm9vYg=\n"}) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
}

TEST(EncodingTest, Utf8ValidityAndHeldBackTails) {
  EXPECT_TRUE(is_valid_utf8("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // cut short
  EXPECT_EQ(incomplete_utf8_tail("ab\xE2\x82"), 2u);  // euro sign missing its last byte
  EXPECT_EQ(incomplete_utf8_tail("ab\xF0"), 1u);
  EXPECT_EQ(incomplete_utf8_tail("ab\xE2\x82\xAC"), 0u);
  EXPECT_EQ(incomplete_utf8_tail("ab"), 0u);
  EXPECT_EQ(incomplete_utf8_tail("\x80\x80\x80\x80"), 0u);  // binary: nothing to wait for
}

}  // namespace
}  // namespace sbx::rpc
