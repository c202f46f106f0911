// Hybrid logical clocks (Kulkarni et al.): a timestamp that follows wall time when clocks are sane and still orders
// causally related changes when they are not. Sync merges edits by these values, never by wall clocks alone.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace tsunagi {

struct Hlc {
  std::int64_t wall_ms = 0;   // physical part: Unix milliseconds
  std::uint32_t counter = 0;  // logical part: orders events within one millisecond
  std::string node;           // 8 hex digits from the device id; breaks ties between devices

  // Fixed-width text form, "1732233600000.0000.9f3c2a1b", so that comparing strings compares clocks.
  std::string to_string() const;
  static std::optional<Hlc> parse(std::string_view text);
  auto operator<=>(const Hlc&) const = default;
  bool operator==(const Hlc&) const = default;
};

// The clock of one device. Thread-safe.
class HlcClock {
 public:
  using WallClock = std::function<std::int64_t()>;
  // node: 8 hex digits naming this device (see node_from_device_id). wall: Unix ms source (tests inject one).
  explicit HlcClock(std::string node, WallClock wall = {});
  // A clock value greater than every value this clock produced or observed.
  Hlc tick();
  // Moves the clock past a value received from another device, so later local changes order after it.
  void observe(const Hlc& remote);
  const std::string& node() const { return node_; }
  // The greatest value produced or observed so far.
  Hlc last() const;

 private:
  mutable std::mutex mutex_;  // guards last_
  Hlc last_;
  std::string node_;
  WallClock wall_;
};

// The last 8 hex digits of a device id (the random part of a UUIDv7), lower-case.
std::string node_from_device_id(std::string_view device_id);

}  // namespace tsunagi
