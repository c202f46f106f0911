#include "model/clock.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>

#include "model/ids.hpp"

namespace tsunagi {

std::string Hlc::to_string() const {
  char out[64];
  std::snprintf(out, sizeof out, "%013lld.%04x.", static_cast<long long>(wall_ms), counter);
  return out + node;
}

std::optional<Hlc> Hlc::parse(std::string_view text) {
  // 13 digits, '.', 4 hex, '.', node
  if (text.size() < 19 || text[13] != '.' || text[18] != '.') return std::nullopt;
  Hlc clock;
  auto wall = std::from_chars(text.data(), text.data() + 13, clock.wall_ms);
  if (wall.ec != std::errc() || wall.ptr != text.data() + 13) return std::nullopt;
  auto count = std::from_chars(text.data() + 14, text.data() + 18, clock.counter, 16);
  if (count.ec != std::errc() || count.ptr != text.data() + 18) return std::nullopt;
  clock.node = std::string(text.substr(19));
  for (char c : clock.node)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
  return clock;
}

HlcClock::HlcClock(std::string node, WallClock wall) : node_(std::move(node)), wall_(std::move(wall)) {
  if (!wall_) wall_ = [] { return now_unix_ms(); };
  last_.node = node_;
}

Hlc HlcClock::tick() {
  std::int64_t now = wall_();
  std::lock_guard lock(mutex_);
  if (now > last_.wall_ms) {
    last_.wall_ms = now;
    last_.counter = 0;
  } else {
    ++last_.counter;  // wall clock stood still or went back: stay ahead logically
  }
  last_.node = node_;
  return last_;
}

void HlcClock::observe(const Hlc& remote) {
  std::lock_guard lock(mutex_);
  if (remote.wall_ms > last_.wall_ms || (remote.wall_ms == last_.wall_ms && remote.counter > last_.counter)) {
    last_.wall_ms = remote.wall_ms;
    last_.counter = remote.counter;
  }
}

Hlc HlcClock::last() const {
  std::lock_guard lock(mutex_);
  return last_;
}

std::string node_from_device_id(std::string_view device_id) {
  std::string node;
  for (auto it = device_id.rbegin(); it != device_id.rend() && node.size() < 8; ++it) {
    char c = *it;
    if (std::isxdigit(static_cast<unsigned char>(c))) node.insert(node.begin(), static_cast<char>(std::tolower(c)));
  }
  while (node.size() < 8) node.insert(node.begin(), '0');
  return node;
}

}  // namespace tsunagi
