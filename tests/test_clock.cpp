#include <catch2/catch.hpp>

#include "model/clock.hpp"
#include "model/ids.hpp"

using namespace tsunagi;

TEST_CASE("HLC text form sorts like the clock and parses back", "[clock]") {
  Hlc a{1732233600000, 0, "9f3c2a1b"};
  Hlc b{1732233600000, 1, "00000000"};
  Hlc c{1732233600001, 0, "00000000"};
  CHECK(a.to_string() == "1732233600000.0000.9f3c2a1b");
  CHECK(a.to_string() < b.to_string());
  CHECK(b.to_string() < c.to_string());
  CHECK(a < b);
  auto parsed = Hlc::parse(b.to_string());
  REQUIRE(parsed);
  CHECK(*parsed == b);
  CHECK_FALSE(Hlc::parse("garbage"));
  CHECK_FALSE(Hlc::parse("1732233600000.00zz.9f3c2a1b"));
}

TEST_CASE("HLC stays monotonic when the wall clock stands still or goes back", "[clock]") {
  std::int64_t wall = 1000;
  HlcClock clock("0000abcd", [&wall] { return wall; });
  Hlc first = clock.tick();
  Hlc second = clock.tick();
  CHECK(second > first);
  wall = 500;  // the laptop's clock was set back
  Hlc third = clock.tick();
  CHECK(third > second);
  CHECK(third.wall_ms == 1000);
  wall = 2000;
  Hlc fourth = clock.tick();
  CHECK(fourth.wall_ms == 2000);
  CHECK(fourth.counter == 0);
}

TEST_CASE("HLC orders local changes after a received remote clock from the future", "[clock]") {
  std::int64_t wall = 1000;
  HlcClock clock("00000001", [&wall] { return wall; });
  Hlc remote{5000, 7, "00000002"};
  clock.observe(remote);
  Hlc next = clock.tick();
  CHECK(next > remote);
  CHECK(next.wall_ms == 5000);
  CHECK(next.counter == 8);
}

TEST_CASE("only the exact text form is a clock", "[clock]") {
  // Anything else would compare wrongly as text against real clocks ("9" sorts after every one of them).
  for (const char* text :
       {"9", "", "1732233600000.0000.9F3C2A1B", "1732233600000.0000.9f3c2a1", "1732233600000.00000.9f3c2a1b",
        "173223360000.0000.9f3c2a1b0", "1732233600000-0000-9f3c2a1b", "-732233600000.0000.9f3c2a1b",
        "1732233600000.0000.9f3c2a1b ", "1732233600000.+000.9f3c2a1b"}) {
    INFO(text);
    CHECK_FALSE(Hlc::parse(text));
  }
  CHECK(Hlc::parse("1732233600000.ffff.9f3c2a1b"));
}

TEST_CASE("the counter never widens the text: past 0xffff ticks in a millisecond it borrows the next one", "[clock]") {
  std::int64_t wall = 1000;
  HlcClock clock("00000001", [&wall] { return wall; });
  std::string previous = clock.tick().to_string();
  for (int i = 0; i < 70000; ++i) {  // the wall clock stands still for 70,000 ticks
    const Hlc next = clock.tick();
    REQUIRE(next.counter <= Hlc::kMaxCounter);
    const std::string text = next.to_string();
    REQUIRE(text.size() == 27);
    REQUIRE(text > previous);
    previous = text;
  }
  CHECK(clock.last().wall_ms == 1001);
}

TEST_CASE("a received clock more than an hour ahead of the wall clock is not adopted", "[clock]") {
  std::int64_t wall = 10'000'000;
  HlcClock clock("00000001", [&wall] { return wall; });
  CHECK_FALSE(clock.observe(Hlc{wall + kMaxClockAheadMs + 1, 0, "00000002"}));
  CHECK(clock.tick().wall_ms == wall);
  CHECK(clock.observe(Hlc{wall + kMaxClockAheadMs, 3, "00000002"}));  // within the bound: adopted
  CHECK(clock.tick() > Hlc{wall + kMaxClockAheadMs, 3, "00000002"});
  // The device's own stored high-water mark is resumed however far ahead (it issued those values itself), and a
  // rewind goes back to a given value or the wall clock.
  clock.resume(Hlc{wall + 10 * kMaxClockAheadMs, 0, "00000001"});
  CHECK(clock.last().wall_ms == wall + 10 * kMaxClockAheadMs);
  clock.rewind(Hlc{wall - 5, 2, "00000001"});
  const Hlc after = clock.tick();
  CHECK(after.wall_ms == wall);
  CHECK(after.counter <= 1);
}

TEST_CASE("UUIDv7 ids are well-formed, versioned and ordered by time", "[ids]") {
  std::string early = new_uuid_v7(1700000000000);
  std::string late = new_uuid_v7(1700000000001);
  CHECK(is_uuid(early));
  CHECK(early[14] == '7');
  CHECK(std::string("89ab").find(early[19]) != std::string::npos);
  CHECK(early < late);
  CHECK(new_uuid_v7() != new_uuid_v7());
  CHECK_FALSE(is_uuid("not-a-uuid"));
  CHECK(node_from_device_id("0193a5f2-c3d4-7abc-8def-0123459f3c2a") == "459f3c2a");
}
