#include "base/yaml_document.h"

#include <sstream>
#include <string>

#include <yaml-cpp/eventhandler.h>

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

}  // namespace

YAML::Node load_yaml_document(std::string_view text) {
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
