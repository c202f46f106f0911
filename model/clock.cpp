#include "model/clock.hpp"

#include <algorithm>
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
  // 13 digits, '.', 4 hex, '.', 8 hex; hex in lower case, as to_string writes it.
  if (text.size() != 27 || text[13] != '.' || text[18] != '.') return std::nullopt;
  auto lower_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 13 || i == 18) continue;
    if (i < 13 ? !(text[i] >= '0' && text[i] <= '9') : !lower_hex(text[i])) return std::nullopt;
  }
  Hlc clock;
  std::from_chars(text.data(), text.data() + 13, clock.wall_ms);
  std::from_chars(text.data() + 14, text.data() + 18, clock.counter, 16);
  clock.node = std::string(text.substr(19));
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
  } else if (last_.counter < Hlc::kMaxCounter) {
    ++last_.counter;  // wall clock stood still or went back: stay ahead logically
  } else {
    ++last_.wall_ms;  // the text has four hex digits for the counter: borrow the next millisecond
    last_.counter = 0;
  }
  last_.node = node_;
  return last_;
}

bool HlcClock::observe(const Hlc& remote) {
  if (remote.wall_ms > wall_() + kMaxClockAheadMs) return false;
  resume(remote);
  return true;
}

void HlcClock::resume(const Hlc& own) {
  std::lock_guard lock(mutex_);
  if (own.wall_ms > last_.wall_ms || (own.wall_ms == last_.wall_ms && own.counter > last_.counter)) {
    last_.wall_ms = own.wall_ms;
    last_.counter = own.counter;
  }
}

void HlcClock::rewind(const Hlc& to) {
  std::int64_t now = wall_();
  std::lock_guard lock(mutex_);
  last_.wall_ms = std::max(to.wall_ms, now);
  last_.counter = to.wall_ms >= now ? to.counter : 0;
  last_.node = node_;
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
