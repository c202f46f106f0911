// Identifiers made on the device, without a network: UUIDv7 for records and devices.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tsunagi {

// A new UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits from the OS. Lower-case, hyphenated.
// Ids made later on one device sort after earlier ones. Thread-safe.
std::string new_uuid_v7();
// Same, with the given Unix millisecond timestamp (tests, bulk import).
std::string new_uuid_v7(std::int64_t unix_ms);
// A new id for an item of a record's list (agenda item, role, follow-up): 16 random lower-case hex digits.
std::string new_item_id();
// True for the canonical 8-4-4-4-12 lower- or upper-case hex form of any UUID version.
bool is_uuid(std::string_view s);
// Fills `size` bytes with random bytes from the OS (getrandom). Thread-safe.
void random_bytes(void* out, std::size_t size);
// Current UTC time as ISO 8601 with milliseconds: "2024-04-01T09:30:00.123Z".
std::string now_iso8601();
// The UTC time `unix_ms` in the same form.
std::string iso8601_of_unix_ms(std::int64_t unix_ms);
// Current Unix time in milliseconds.
std::int64_t now_unix_ms();

}  // namespace tsunagi
