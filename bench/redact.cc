// Redaction throughput against a plain copy, measured in one run. See bench/redact.sh.
//
// A log-like corpus (timestamps, paths, hex ids, base64-ish tokens, with a few real secrets
// sprinkled in) is pushed through, in fixed-size chunks:
//   memcpy         chunk copied into a buffer: the floor of any copy
//   pipe           a writer thread writes the corpus into a pipe, this thread reads it and
//                  writes it to /dev/null: the supervisor's pump without redaction
//   redact         Redactor::feed on each chunk (engine only, no I/O)
//   pipe+redact    the pump with Redactor::feed between read and write
// Every configuration runs `rounds` times, interleaved, and the best round counts.
#include "redact/redact.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using sbx::redact::Redactor;
using sbx::redact::Secret;
using sbx::redact::SecretSet;

struct Options {
  size_t corpus_mib = 64;
  size_t chunk = 64 * 1024;
  int rounds = 5;
  std::vector<size_t> secret_counts = {1, 100, 1000};
};

std::string random_string(std::mt19937_64& rng, size_t n, std::string_view alphabet) {
  std::string s(n, ' ');
  for (char& c : s) c = alphabet[rng() % alphabet.size()];
  return s;
}

constexpr std::string_view kAlnum =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kBase64 =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";

// Tokens shaped like real credentials: GitHub-style, hex API keys, base64 passwords.
std::vector<Secret> make_secrets(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Secret> secrets;
  for (size_t i = 0; i < count; ++i) {
    std::string value;
    switch (i % 3) {
      case 0:
        value = "ghp_" + random_string(rng, 36, kAlnum);
        break;
      case 1:
        value = random_string(rng, 32, kHex);
        break;
      default:
        value = random_string(rng, 20 + rng() % 20, kBase64);
        break;
    }
    secrets.push_back({"SECRET_" + std::to_string(i), value});
  }
  return secrets;
}

// About one secret per 256 KiB, the rest ordinary log lines.
std::string make_corpus(size_t bytes, const std::vector<Secret>& secrets, size_t* planted) {
  std::mt19937_64 rng(42);
  static const char* kWords[] = {"alice",  "bob",     "items", "orders", "checkout", "search",
                                 "health", "metrics", "login", "upload", "render",   "cache"};
  std::string out;
  out.reserve(bytes + 512);
  size_t next_secret = 256 * 1024;
  *planted = 0;
  char line[512];
  while (out.size() < bytes) {
    const int n = std::snprintf(
        line, sizeof line,
        "2026-11-22T19:%02d:%02d.%03dZ INFO worker-%d: GET /api/v1/%s/%u?user=%s&page=%u "
        "request_id=%s session=%s status=200 bytes=%u took=%ums\n",
        int(rng() % 60), int(rng() % 60), int(rng() % 1000), int(rng() % 16), kWords[rng() % 12],
        unsigned(rng() % 100000), kWords[rng() % 12], unsigned(rng() % 50),
        random_string(rng, 32, kHex).c_str(), random_string(rng, 22, kBase64).c_str(),
        unsigned(rng() % 1000000), unsigned(rng() % 500));
    out.append(line, size_t(n));
    if (out.size() >= next_secret && !secrets.empty()) {
      out += "DEBUG env token=" + secrets[rng() % secrets.size()].value + "\n";
      ++*planted;
      next_secret += 256 * 1024;
    }
  }
  return out;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double bench_memcpy(const std::string& corpus, size_t chunk) {
  std::vector<char> buffer(chunk);
  unsigned sink = 0;
  const auto start = Clock::now();
  for (size_t i = 0; i < corpus.size(); i += chunk) {
    const size_t n = std::min(chunk, corpus.size() - i);
    std::memcpy(buffer.data(), corpus.data() + i, n);
    sink += static_cast<unsigned char>(buffer[n / 2]);
    asm volatile("" : : "r"(buffer.data()) : "memory");  // keep every copy
  }
  const double s = seconds_since(start);
  if (sink == 0xdeadbeef) std::puts("");
  return s;
}

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

// Pumps the corpus through a pipe; `transform` sees each chunk read and returns what to write.
double bench_pipe(
    const std::string& corpus, size_t chunk,
    const std::function<std::span<const std::byte>(std::span<const std::byte>)>& transform) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) std::abort();
  const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  const auto start = Clock::now();
  std::thread writer([&] {
    for (size_t i = 0; i < corpus.size(); i += chunk) {
      if (!write_all(fds[1], corpus.data() + i, std::min(chunk, corpus.size() - i))) std::abort();
    }
    ::close(fds[1]);
  });
  std::vector<std::byte> buffer(chunk);
  for (;;) {
    const ssize_t r = ::read(fds[0], buffer.data(), buffer.size());
    if (r <= 0) break;
    const auto out = transform(std::span(buffer.data(), size_t(r)));
    if (!write_all(null_fd, reinterpret_cast<const char*>(out.data()), out.size())) std::abort();
  }
  writer.join();
  const double s = seconds_since(start);
  ::close(fds[0]);
  ::close(null_fd);
  return s;
}

struct Row {
  size_t secrets = 0;
  size_t patterns = 0;
  size_t memory = 0;
  double engine = 1e30;  // best seconds
  double pipe = 1e30;
  uint64_t redactions = 0;
  size_t planted = 0;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "sbx-bench-redact: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return std::strtoull(argv[++i], nullptr, 10);
    };
    if (a == "--mib") {
      o.corpus_mib = value();
    } else if (a == "--chunk") {
      o.chunk = value();
    } else if (a == "--rounds") {
      o.rounds = int(value());
    } else {
      std::fprintf(stderr, "usage: sbx-bench-redact [--mib N] [--chunk BYTES] [--rounds N]\n");
      std::exit(2);
    }
  }
  if (o.corpus_mib == 0 || o.chunk == 0 || o.rounds <= 0) {
    std::fprintf(stderr, "sbx-bench-redact: values must be positive\n");
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  const size_t max_secrets = *std::max_element(opt.secret_counts.begin(), opt.secret_counts.end());
  const std::vector<Secret> all_secrets = make_secrets(max_secrets, 1);

  // The corpus plants secrets of the smallest set, so every configuration finds the same ones.
  const std::vector<Secret> planted_from(all_secrets.begin(), all_secrets.begin() + 1);
  size_t planted = 0;
  const std::string corpus = make_corpus(opt.corpus_mib << 20, planted_from, &planted);

  std::vector<Row> rows;
  std::vector<std::shared_ptr<const SecretSet>> sets;
  for (size_t count : opt.secret_counts) {
    const std::vector<Secret> subset(all_secrets.begin(), all_secrets.begin() + long(count));
    auto set = SecretSet::compile(subset);
    if (!set) {
      std::fprintf(stderr, "sbx-bench-redact: %s\n", set.error().message.c_str());
      return 1;
    }
    sets.push_back(*set);
    Row row;
    row.secrets = count;
    row.patterns = (*set)->pattern_count();
    row.memory = (*set)->memory_bytes();
    row.planted = planted;
    rows.push_back(row);
  }

  double best_memcpy = 1e30, best_pipe = 1e30;
  for (int round = 0; round < opt.rounds; ++round) {
    best_memcpy = std::min(best_memcpy, bench_memcpy(corpus, opt.chunk));
    best_pipe = std::min(best_pipe, bench_pipe(corpus, opt.chunk, [](auto in) { return in; }));
    for (size_t k = 0; k < rows.size(); ++k) {
      Row& row = rows[k];
      {
        Redactor r(sets[k]);
        size_t emitted = 0;
        const auto start = Clock::now();
        for (size_t i = 0; i < corpus.size(); i += opt.chunk) {
          const size_t n = std::min(opt.chunk, corpus.size() - i);
          emitted += r.feed(std::string_view(corpus).substr(i, n)).size();
        }
        emitted += r.finish().size();
        row.engine = std::min(row.engine, seconds_since(start));
        row.redactions = r.total_redactions();
        if (emitted == 0) std::abort();
      }
      {
        Redactor r(sets[k]);
        row.pipe =
            std::min(row.pipe, bench_pipe(corpus, opt.chunk, [&](auto in) { return r.feed(in); }));
      }
    }
  }

  const double mb = double(corpus.size()) / 1e6;
  std::printf(
      "corpus %.1f MB of log lines (%zu secrets planted), %zu-byte chunks, best of %d rounds\n", mb,
      planted, opt.chunk, opt.rounds);
  std::printf("plain copy: memcpy %.0f MB/s, pipe %.0f MB/s\n", mb / best_memcpy, mb / best_pipe);
  std::printf("%8s %9s %9s %12s %10s %14s %10s %11s\n", "secrets", "patterns", "memory",
              "redact MB/s", "/ memcpy", "pipe+redact", "/ pipe", "redactions");
  for (const Row& row : rows) {
    std::printf("%8zu %9zu %8.1fM %12.0f %10.2f %14.0f %10.2f %11llu\n", row.secrets, row.patterns,
                double(row.memory) / 1e6, mb / row.engine, best_memcpy / row.engine, mb / row.pipe,
                best_pipe / row.pipe, static_cast<unsigned long long>(row.redactions));
  }
  for (const Row& row : rows) {
    if (row.redactions != row.planted) {
      std::fprintf(stderr, "sbx-bench-redact: %zu secrets: %llu redactions, expected %zu\n",
                   row.secrets, static_cast<unsigned long long>(row.redactions), row.planted);
      return 1;
    }
  }
  return 0;
}
