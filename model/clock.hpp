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

// How far ahead of the receiver's wall clock a clock from elsewhere may be: beyond it, the sender's clock is wrong.
// The collector refuses such revisions (clock.future) and a device does not adopt such clocks.
constexpr std::int64_t kMaxClockAheadMs = 60 * 60 * 1000;

struct Hlc {
  std::int64_t wall_ms = 0;   // physical part: Unix milliseconds
  std::uint32_t counter = 0;  // logical part: orders events within one millisecond
  std::string node;           // 8 hex digits from the device id; breaks ties between devices

  static constexpr std::uint32_t kMaxCounter = 0xFFFF;  // four hex digits: past it, the next millisecond

  // Fixed-width text form, "1732233600000.0000.9f3c2a1b", so that comparing strings compares clocks.
  std::string to_string() const;
  // Only that exact form (13 digits, 4 and 8 lower-case hex digits): any other text is not a clock, so that every
  // stored clock compares correctly as text.
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
  // A clock value greater than every value this clock produced or observed. The counter never passes
  // Hlc::kMaxCounter: past it, the clock moves to the next millisecond.
  Hlc tick();
  // Moves the clock past a value received from another device, so later local changes order after it; a value
  // more than kMaxClockAheadMs ahead of the wall clock is not adopted (false): the sender's clock was wrong.
  bool observe(const Hlc& remote);
  // Moves the clock past a value this device issued before (its stored high-water mark), however far ahead.
  void resume(const Hlc& own);
  // Sets the clock back to `to` (or the wall clock, if later): only for values that never left this device,
  // issued while the wall clock ran ahead (Store::rewind_future_clocks).
  void rewind(const Hlc& to);
  // The wall clock this clock reads, in Unix ms.
  std::int64_t wall_now() const { return wall_(); }
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
