// Random secrets, random streams, random chunkings: the Redactor must agree exactly with the
// naive reference (tests/unit/redact_test_support.h) on output and counts, and keep its
// holdback bound.
#include <gtest/gtest.h>

#include "redact_test_support.h"

namespace sbx::redact {
namespace {

using testing::as_string;

struct Case {
  std::vector<Secret> secrets;
  bool encodings = true;
  std::string stream;
};

std::string pick_alphabet(std::mt19937_64& rng) {
  switch (rng() % 5) {
    case 0:
      return "ab";  // heavy overlaps and self-overlaps
    case 1:
      return "abc";
    case 2:
      return "abcdef0123456789ABCDEF%+/=_-";  // looks like the encodings themselves
    case 3:
      return std::string("\0\x01\xff ab", 6);
    default:
      return "";  // any byte
  }
}

Case make_case(uint64_t seed) {
  std::mt19937_64 rng(seed);
  Case c;
  c.encodings = rng() % 4 != 0;
  const std::string alphabet = pick_alphabet(rng);
  const size_t count = 1 + rng() % 8;
  for (size_t i = 0; i < count; ++i) {
    const std::string name = "S" + std::to_string(rng() % 8 == 0 && i > 0 ? 0 : i);
    std::string value = testing::random_bytes(rng, 6 + rng() % 14, alphabet);
    if (i > 0 && rng() % 2 == 0) {
      // Related to an earlier secret: its prefix, its suffix, an extension of it, or one that
      // overlaps its end.
      const std::string& other = c.secrets[rng() % c.secrets.size()].value;
      const size_t cut = std::min<size_t>(other.size() - 6, 1 + rng() % 4);
      const std::string more = testing::random_bytes(rng, 1 + rng() % 4, alphabet);
      switch (rng() % 4) {
        case 0:
          value = other.substr(0, std::max<size_t>(6, other.size() - 1 - rng() % 4));
          break;
        case 1:
          value = other.substr(cut);
          break;
        case 2:
          value = other + more;
          break;
        default:
          value = other.substr(cut) + more;
          break;
      }
    }
    c.secrets.push_back({name, value});
  }
  const size_t length = rng() % 3000;
  while (c.stream.size() < length) {
    const Secret& s = c.secrets[rng() % c.secrets.size()];
    switch (rng() % 8) {
      case 0:
        c.stream += s.value;
        break;
      case 1:
        c.stream += s.value.substr(0, rng() % s.value.size());
        break;  // a near miss
      case 2:
        c.stream += s.value.substr(rng() % s.value.size());
        break;
      case 3: {
        const auto forms = testing::all_forms(s.value);
        c.stream += forms[rng() % forms.size()];
        break;
      }
      case 4: {
        const std::string context = testing::random_bytes(rng, rng() % 3, alphabet);
        c.stream +=
            testing::base64(context + s.value + testing::random_bytes(rng, rng() % 3), rng() % 2);
        break;
      }
      default:
        c.stream += testing::random_bytes(rng, rng() % 40, alphabet);
        break;
    }
  }
  return c;
}

std::vector<size_t> make_chunking(std::mt19937_64& rng, size_t stream_size) {
  std::vector<size_t> sizes;
  switch (rng() % 4) {
    case 0:
      return {1};
    case 1:
      return {stream_size + 1};
    case 2:
      for (int i = 0; i < 64; ++i) sizes.push_back(1 + rng() % 8);
      break;
    default:
      for (int i = 0; i < 64; ++i) sizes.push_back(1 + rng() % 700);
      break;
  }
  return sizes;
}

TEST(RedactProperty, MatchesNaiveReferenceOnRandomStreamsAndChunkings) {
  int compared = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    const Case c = make_case(seed);
    const Encodings forms = c.encodings ? Encodings{} : Encodings{false, false, false};
    auto set = SecretSet::compile(c.secrets, forms);
    if (!set) {
      // A random name can only clash with a random secret's form by chance; nothing to compare.
      ASSERT_NE(set.error().message.find("the name contains"), std::string::npos)
          << set.error().message;
      continue;
    }
    const testing::Reference reference(c.secrets, c.encodings);
    std::map<std::string, uint64_t> expected_counts;
    const std::string expected = reference.redact(c.stream, &expected_counts);

    std::mt19937_64 rng(seed * 7919);
    for (int chunking = 0; chunking < 3; ++chunking) {
      const std::vector<size_t> sizes = make_chunking(rng, c.stream.size());
      Redactor r(*set);
      std::string out;
      size_t i = 0, k = 0;
      while (i < c.stream.size()) {
        const size_t n = std::min(sizes[k++ % sizes.size()], c.stream.size() - i);
        out += as_string(r.feed(std::string_view(c.stream).substr(i, n)));
        i += n;
        ASSERT_LE(r.held_back(), (*set)->longest_pattern() - 1) << "seed " << seed;
      }
      out += as_string(r.finish());
      ASSERT_EQ(out, expected) << "seed " << seed << " chunking " << chunking;
      for (size_t n = 0; n < (*set)->names().size(); ++n) {
        const std::string& name = (*set)->names()[n];
        ASSERT_EQ(r.counts()[n], expected_counts[name]) << "seed " << seed << " " << name;
      }
      ++compared;
    }
  }
  EXPECT_GT(compared, 1000);
}

}  // namespace
}  // namespace sbx::redact
