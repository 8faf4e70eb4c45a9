#include "base/yaml_document.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>

#include <yaml-cpp/eventhandler.h>

#include "base/utf8.h"

namespace sbx {
namespace {

// Where a document starts (to tell a second document from the parser standing still) and where
// its content starts (for the error).
class DocumentStart final : public YAML::EventHandler {
 public:
  YAML::Mark mark = YAML::Mark::null_mark();
  YAML::Mark content = YAML::Mark::null_mark();

  void OnDocumentStart(const YAML::Mark& m) override { mark = m; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { node(m); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(m);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& m) {
    if (content.is_null()) content = m;
  }
};

// yaml-cpp passes invalid bytes through in some places and replaces them in others, so such a
// file would not mean one thing; YAML is UTF-8 text (or UTF-16/32, which sbx does not take).
void require_utf8(std::string_view text) {
  const size_t bad = valid_utf8_prefix(text);
  if (bad == text.size()) return;
  YAML::Mark at = YAML::Mark::null_mark();
  at.pos = static_cast<int>(bad);
  at.line = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n'));
  const size_t newline = bad == 0 ? std::string_view::npos : text.rfind('\n', bad - 1);
  at.column = static_cast<int>(newline == std::string_view::npos ? bad : bad - newline - 1);
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned>(static_cast<unsigned char>(text[bad])));
  throw YAML::ParserException(at, std::string("byte ") + byte + " is not UTF-8 (the file must be UTF-8 text)");
}

}  // namespace

YAML::Node load_yaml_document(std::string_view text) {
  require_utf8(text);
  const std::string copy(text);
  YAML::Node first = YAML::Load(copy);
  std::istringstream in(copy);
  YAML::Parser parser(in);
  DocumentStart one, two;
  if (!parser.HandleNextDocument(one) || !parser.HandleNextDocument(two)) return first;
  if (two.mark.pos == one.mark.pos) throw YAML::ParserException(two.mark, "unexpected character here");
  throw YAML::ParserException(two.content.is_null() ? two.mark : two.content,
                              "a file holds one YAML document; this is a second");
}

}  // namespace sbx
