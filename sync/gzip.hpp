// gzip (RFC 1952) for HTTP bodies: the one content coding the protocol uses, both ways.
#pragma once

#include <string>
#include <string_view>

#include "model/error.hpp"

namespace tsunagi::sync {

// `text` as one gzip member at zlib's fastest level. Thread-safe.
Result<std::string> gzip_compress(std::string_view text);

// Whether an Accept-Encoding header value accepts gzip (a "gzip" or "x-gzip" coding without q=0; "*" counts).
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace tsunagi::sync
