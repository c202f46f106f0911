// Convergence, as a property: three replicas of one record edit random fields while apart (with clocks that skew
// and step back): plain fields, members of sets (themes, organizations: added and removed), items of lists (agenda
// items added, changed, moved and removed) and the tombstone; they sync in random pairs and orders, and at the end
// agree; every field and every member holds the value of the edit with the latest clock for it, so no edit is lost
// unless a later edit of the same field or member superseded it. Then the same edits through a collector (a star,
// as the product syncs): every value that a later one replaced was seen by whoever replaced it, or is kept as a
// conflict.
//
// TSUNAGI_CONVERGENCE_RUNS sets the number of seeded runs (1,000 by default; bench/ runs more).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <string>

#include "model/clock.hpp"
#include "model/merge.hpp"
#include "model/record_json.hpp"
#include "model/validation.hpp"

using namespace tsunagi;
using nlohmann::json;

namespace {

struct Replica {
  std::int64_t wall = 0;  // this device's wall clock, in Unix ms
  HlcClock clock;
  Record record;
  explicit Replica(std::string node) : clock(std::move(node), [this] { return wall; }) {}
};

struct Edit {
  std::string field;
  json value;
  std::string clock;
};

const std::array<const char*, 8> kFields{"title",  "area", "participant_count", "themes",
                                         "agenda", "body", "organizations",     "deleted"};
const std::array<const char*, 5> kTexts{"第1回 運営会議", "相談支援部会", "東区", "博多区", "𠮷野の会議"};

int pick(std::mt19937& random, int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); }

// A random change of `field` in `record`, as a person makes it in the editor: a new value; one member of a set added
// or removed; an agenda item added (its id from the seeded generator), changed, moved or removed.
json changed_value(const Record& record, const std::string& field, std::mt19937& random) {
  if (field == "participant_count") return pick(random, 40);
  if (field == "deleted") return pick(random, 2) == 0;
  json value = field_value(record, field);
  if (field == "themes" || field == "organizations") {
    const std::string member = kTexts[pick(random, 5)];
    auto at = std::find(value.begin(), value.end(), member);
    if (at == value.end())
      value.push_back(member);
    else
      value.erase(at);
    return value;
  }
  if (field == "agenda") {
    const int size = static_cast<int>(value.size());
    const int op = size == 0 ? 0 : pick(random, 4);
    if (op == 0) {  // added, at a random place, without a position (the store gives it one)
      char id[17];
      std::snprintf(id, sizeof id, "%08x%08x", static_cast<unsigned>(random()), static_cast<unsigned>(random()));
      value.insert(value.begin() + pick(random, size + 1),
                   json{{"id", id}, {"title", kTexts[pick(random, 5)]}, {"summary", std::to_string(pick(random, 9))}});
    } else if (op == 1) {  // changed
      value[static_cast<std::size_t>(pick(random, size))]["summary"] = std::to_string(pick(random, 9));
    } else if (op == 2) {  // moved
      json item = value[static_cast<std::size_t>(pick(random, size))];
      value.erase(std::find(value.begin(), value.end(), item));
      value.insert(value.begin() + pick(random, size), item);
    } else {  // removed
      value.erase(value.begin() + pick(random, size));
    }
    return value;
  }
  return std::string(kTexts[pick(random, 5)]) + " " + std::to_string(pick(random, 100));
}

// An edit made on `replica`, as Store::update makes it: the new value, normalised (items get positions), and a new
// clock for each field or member that changed. Gives one Edit per changed field or member.
std::vector<Edit> edit(Replica& replica, const std::string& field, const json& value) {
  const Record before = replica.record;
  Record after = before;
  if (field == "deleted") {
    after.deleted = value.get<bool>();
  } else {
    auto patched = apply_patch(after, json{{field, value}}, nullptr);
    REQUIRE(patched);
    after = std::move(*patched);
  }
  normalize_record(after);
  const std::vector<std::string> changed = changed_fields(before, after);
  std::vector<Edit> made;
  if (changed.empty()) return made;
  after.clock = replica.clock.tick().to_string();
  for (const std::string& name : changed) after.field_clocks[name] = after.clock;
  replica.record = std::move(after);
  for (const std::string& name : changed)
    made.push_back({name, merge_value(replica.record, name), replica.record.clock});
  return made;
}

// `to` receives `from`'s version, as a pull (or the collector receiving a push) does.
void receive(Replica& to, const Replica& from) {
  if (auto clock = Hlc::parse(from.record.clock)) to.clock.observe(*clock);
  auto merged = merge_records(to.record, from.record);
  REQUIRE(merged);
  to.record = std::move(merged->merged);
}

json content(const Record& record) {
  json object = record_to_json(record);
  for (const char* bookkeeping : {"updated_at", "updated_by", "device"}) object.erase(bookkeeping);
  return object;
}

int runs() {
  const char* configured = std::getenv("TSUNAGI_CONVERGENCE_RUNS");
  return configured && std::atoi(configured) > 0 ? std::atoi(configured) : 1000;
}

}  // namespace

TEST_CASE("three replicas editing apart and syncing in any order converge, losing no latest edit", "[merge]") {
  // Each edit is of one field or one member (a set's member, a list's item); an edit that changes several members
  // (a move that renumbers the list) counts once per member.
  const int count = runs();
  long long edits = 0, syncs = 0, superseded = 0;
  for (int seed = 1; seed <= count; ++seed) {
    INFO("seed " << seed << " (of " << count << ")");
    std::mt19937 random(static_cast<unsigned>(seed));
    std::deque<Replica> replicas;  // in place: a Replica's clock reads its own wall
    for (const char* node : {"0000000a", "0000000b", "0000000c"}) replicas.emplace_back(node);
    // Clocks a few seconds apart, as laptops' are.
    for (auto& replica : replicas) replica.wall = 1'733'000'000'000 + static_cast<std::int64_t>(random() % 5000);

    auto made = record_from_json(json{{"kind", "meeting"},
                                      {"id", "0193a000-0000-7000-8000-000000000001"},
                                      {"title", "初めの件名"},
                                      {"date", "2024-07-03"}});
    REQUIRE(made);
    made->clock = replicas[0].clock.tick().to_string();
    made->field_clocks = {{"*", made->clock}};
    for (auto& replica : replicas) {
      replica.record = *made;
      if (auto clock = Hlc::parse(made->clock)) replica.clock.observe(*clock);
    }
    std::map<std::string, Edit> latest;  // per field, the edit with the greatest clock

    const int steps = 20 + static_cast<int>(random() % 60);
    for (int step = 0; step < steps; ++step) {
      for (auto& replica : replicas) {  // time passes, unevenly; now and then a clock is set back a little
        replica.wall += static_cast<std::int64_t>(random() % 40);
        if (random() % 20 == 0) replica.wall -= static_cast<std::int64_t>(random() % 2000);
      }
      Replica& here = replicas[random() % 3];
      if (random() % 3 != 0) {
        const std::string field = kFields[random() % kFields.size()];
        for (Edit& made_edit : edit(here, field, changed_value(here.record, field, random))) {
          ++edits;
          auto& best = latest[made_edit.field];
          if (best.clock.empty() || made_edit.clock > best.clock) {
            if (!best.clock.empty()) ++superseded;
            best = std::move(made_edit);
          } else {
            ++superseded;
          }
        }
      } else {
        Replica& there = replicas[random() % 3];
        if (&here == &there) continue;
        // Merging is commutative: either way round gives the same content.
        auto one = merge_records(here.record, there.record);
        auto other = merge_records(there.record, here.record);
        REQUIRE(one);
        REQUIRE(other);
        REQUIRE(content(one->merged) == content(other->merged));
        if (random() % 2) {
          receive(here, there);
        } else {
          receive(there, here);
        }
        ++syncs;
      }
    }
    // Everyone syncs with everyone (through the collector, say), twice round.
    for (int round = 0; round < 2; ++round)
      for (auto& to : replicas)
        for (auto& from : replicas)
          if (&to != &from) receive(to, from);

    const json agreed = content(replicas[0].record);
    for (const auto& replica : replicas) REQUIRE(content(replica.record) == agreed);
    for (const auto& [field, made_edit] : latest) {
      INFO("field or member " << field);
      REQUIRE(merge_value(replicas[0].record, field) == made_edit.value);
    }
    // Idempotent: receiving the same version again changes nothing.
    auto again = merge_records(replicas[1].record, replicas[2].record);
    REQUIRE(again);
    REQUIRE(content(again->merged) == agreed);
  }
  WARN(count << " runs: " << edits << " edits, " << syncs << " pairwise syncs, " << superseded
             << " edits superseded by a later one of the same field or member; every run converged");
}

namespace {

// One edit as the conflict property follows it: the value it set, and the clock the field had on its replica just
// before (what the person saw when they changed it).
struct TrackedEdit {
  Edit edit;
  std::string prior_clock;
};

// A device of the star: its replica, the clock of the collector's version it last received (the `base` its next
// push carries) and the collector's change sequence it last pulled up to (its pull cursor, the push's `seen`).
struct Device {
  Replica replica;
  std::string base;
  std::int64_t seen = 0;
  explicit Device(std::string node) : replica(std::move(node)) {}
};

// When a change reached the collector: the change sequence it took and the device that brought it.
struct Arrival {
  std::int64_t sequence = 0;
  const Device* device = nullptr;
};

}  // namespace

TEST_CASE("three devices syncing through a collector keep every value replaced unseen as a conflict", "[merge]") {
  // The star the product is: each sync pushes the device's version to the collector, which merges it and keeps
  // what merging reports (values that lost, and stored values the push replaced without having seen them), then
  // pulls the collector's version. What the device had seen is judged by arrival (the change sequence at which
  // each change reached the collector, against the device's pull cursor), as the collector does: judged by clocks
  // against the base, a device whose clock runs behind loses values unseen (seed 4 finds one). Property: every edit that is not the field's
  // final value was either built upon (someone edited the field while holding it), or kept as a conflict, or its
  // value lives on in a later edit that is one of those.
  const int count = runs();
  long long edits = 0, syncs = 0, kept = 0, built_upon = 0;
  for (int seed = 1; seed <= count; ++seed) {
    INFO("seed " << seed << " (of " << count << ")");
    std::mt19937 random(static_cast<unsigned>(seed) * 7919u);
    std::deque<Device> devices;
    for (const char* node : {"0000000a", "0000000b", "0000000c"}) devices.emplace_back(node);
    for (auto& device : devices) device.replica.wall = 1'733'000'000'000 + static_cast<std::int64_t>(random() % 5000);
    auto made = record_from_json(json{{"kind", "meeting"},
                                      {"id", "0193a000-0000-7000-8000-000000000002"},
                                      {"title", "初めの件名"},
                                      {"date", "2024-07-03"}});
    REQUIRE(made);
    made->clock = devices[0].replica.clock.tick().to_string();
    made->field_clocks = {{"*", made->clock}};
    Record collector = *made;
    for (auto& device : devices) {
      device.replica.record = *made;
      device.base = made->clock;
      if (auto clock = Hlc::parse(made->clock)) device.replica.clock.observe(*clock);
    }
    std::vector<TrackedEdit> tracked;
    std::set<std::pair<std::string, std::string>> conflicts;  // (field, clock of the change kept)

    // Push: the collector merges the device's version, judging what the device had seen by the order in which
    // changes reached it (each stored push takes the next sequence), and keeps what merging reports. Then pull.
    std::int64_t sequence = 0;
    std::map<std::string, Arrival> arrivals;  // per clock of a change the collector holds
    auto sync = [&](Device& here) {
      if (auto clock = Hlc::parse(here.replica.record.clock)) here.replica.clock.observe(*clock);
      auto saw = [&](const std::string& clock) {
        auto arrival = arrivals.find(clock);
        return arrival == arrivals.end() || arrival->second.device == &here || arrival->second.sequence <= here.seen;
      };
      auto pushed = merge_records(collector, here.replica.record, here.base, saw);
      REQUIRE(pushed);
      for (const std::string& field : pushed->lost) conflicts.insert({field, field_clock(here.replica.record, field)});
      for (const auto& replaced : pushed->overwritten) conflicts.insert({replaced.field, replaced.clock});
      if (!pushed->taken.empty() || !pushed->advanced.empty()) {
        ++sequence;
        for (const auto& [field, clock] : here.replica.record.field_clocks) arrivals.try_emplace(clock, Arrival{sequence, &here});
      }
      collector = std::move(pushed->merged);
      if (auto clock = Hlc::parse(collector.clock)) here.replica.clock.observe(*clock);
      auto pulled = merge_records(here.replica.record, collector);
      REQUIRE(pulled);
      here.replica.record = std::move(pulled->merged);
      here.base = collector.clock;
      here.seen = sequence;
    };

    const int steps = 20 + static_cast<int>(random() % 60);
    for (int step = 0; step < steps; ++step) {
      for (auto& device : devices) {
        device.replica.wall += static_cast<std::int64_t>(random() % 40);
        if (random() % 20 == 0) device.replica.wall -= static_cast<std::int64_t>(random() % 2000);
      }
      Device& here = devices[random() % 3];
      if (random() % 3 != 0) {
        const std::string field = kFields[random() % kFields.size()];
        const Record before = here.replica.record;
        for (Edit& made_edit : edit(here.replica, field, changed_value(before, field, random))) {
          ++edits;
          tracked.push_back({made_edit, field_clock(before, made_edit.field)});
        }
        continue;
      }
      sync(here);
      ++syncs;
    }

    for (int round = 0; round < 2; ++round)  // at the end everyone syncs, twice round
      for (auto& device : devices) sync(device);
    for (const auto& device : devices) REQUIRE(content(device.replica.record) == content(collector));

    // Judged from the latest clock down, so that "lives on in a later edit" refers to edits already judged.
    std::sort(tracked.begin(), tracked.end(),
              [](const TrackedEdit& a, const TrackedEdit& b) { return a.edit.clock > b.edit.clock; });
    std::set<std::pair<std::string, std::string>> held;  // (field, clock) someone edited from
    for (const auto& one : tracked) held.insert({one.edit.field, one.prior_clock});
    std::map<std::string, std::vector<json>> safe_values;  // per field, the values of edits judged safe
    for (const auto& one : tracked) {
      const Edit& e = one.edit;
      const bool final_value = merge_value(collector, e.field) == e.value;
      const bool was_built_upon = held.count({e.field, e.clock}) > 0;
      const bool was_kept = conflicts.count({e.field, e.clock}) > 0;
      auto& safe = safe_values[e.field];
      const bool lives_on = std::find(safe.begin(), safe.end(), e.value) != safe.end();
      INFO("field or member " << e.field << ", value " << e.value.dump() << " at " << e.clock);
      REQUIRE((final_value || was_built_upon || was_kept || lives_on));
      safe.push_back(e.value);
      if (was_kept) ++kept;
      if (was_built_upon) ++built_upon;
    }
  }
  WARN(count << " runs through a collector: " << edits << " edits, " << syncs << " syncs; " << built_upon
             << " edits built upon, " << kept << " kept as conflicts; no value replaced unseen was dropped");
}
