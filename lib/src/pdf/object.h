// The PDF object model of esign's own strict reader and writer (ISO 32000-1 §7.3).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "esign/bytes.h"

namespace esign::pdf {

struct Ref {
  std::uint32_t num = 0;
  std::uint16_t gen = 0;
  auto operator<=>(const Ref&) const = default;
};

struct Name {
  std::string value;  // without the leading '/', #xx escapes decoded
  bool operator==(const Name&) const = default;
};

struct String {
  Bytes value;       // decoded bytes
  bool hex = false;  // written as <...> in the file
  bool operator==(const String&) const = default;
};

struct Object;
using Array = std::vector<Object>;
using Dict = std::map<std::string, Object>;  // keys without the leading '/'

// A stream as found in the file: its dictionary and where its raw (still encoded) bytes lie.
// For streams the writer creates, `data` holds the raw bytes instead (offset/length unused).
struct Stream {
  Dict dict;
  std::size_t data_offset = 0;
  std::size_t data_length = 0;
  Bytes data;  // only for streams built in memory
  bool operator==(const Stream&) const;  // defined below, once Object is complete
};

struct Null {
  bool operator==(const Null&) const = default;
};

struct Object {
  using Value = std::variant<Null, bool, std::int64_t, double, String, Name, Array, Dict, Ref, Stream>;
  Value value;

  Object() = default;
  Object(Value v) : value(std::move(v)) {}  // NOLINT(google-explicit-constructor)

  bool is_null() const { return std::holds_alternative<Null>(value); }
  template <class T> bool is() const { return std::holds_alternative<T>(value); }
  template <class T> const T* get() const { return std::get_if<T>(&value); }
  template <class T> T* get() { return std::get_if<T>(&value); }
  bool operator==(const Object&) const = default;

  // Convenience for dictionaries and streams: the value under `key`, or nullptr.
  const Object* find(const std::string& key) const;
  // The dictionary of a Dict or a Stream, or nullptr.
  const Dict* dict() const;
};

inline bool Stream::operator==(const Stream& other) const {
  return dict == other.dict && data_offset == other.data_offset && data_length == other.data_length &&
         data == other.data;
}

// Serializes an object in PDF syntax (names and strings escaped as needed). Streams are written
// with their dictionary, `stream\n`, `data`, `\nendstream`; their /Length is set from `data`.
void serialize(const Object& object, std::string& out);

}  // namespace esign::pdf
