// Loading the one YAML document of a configuration file (policy, recipe, serve.yaml).
//
// yaml-cpp 0.7 (Debian 12's) loops forever in YAML::LoadAll on a stream it cannot get past, such
// as one starting with ',' (upstream issue 1040, fixed after 0.8): each round yields another null
// document without consuming anything. This reads at most two documents, so it always ends.
#pragma once

#include <string_view>

#include <yaml-cpp/yaml.h>

namespace sbx {

// The first document of `text` (a null node for an empty stream). Throws YAML::ParserException,
// with the mark, for text that is not UTF-8, for invalid YAML, for a stream the parser cannot
// get past, and for a second document.
YAML::Node load_yaml_document(std::string_view text);

}  // namespace sbx
