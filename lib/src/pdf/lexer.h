// The tokenizer and object parser of the strict PDF reader (ISO 32000-1 §7.2, §7.3).
//
// Both work over a byte span with a position; every read is bounds-checked and every malformed
// construct throws Error(Errc::input, subject, "at offset N: reason"). Nothing is repaired.
// Not thread-safe; cheap to create, so make one per use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "esign/bytes.h"
#include "pdf/object.h"

namespace esign::pdf {

// ISO 32000-1 §7.2.2, Table 1 and Table 2.
bool is_whitespace(std::uint8_t c);
bool is_delimiter(std::uint8_t c);
inline bool is_regular(std::uint8_t c) { return !is_whitespace(c) && !is_delimiter(c); }

// The entry `key` of `dict`, or nullptr.
inline const Object* find_entry(const Dict& dict, const std::string& key) {
  auto it = dict.find(key);
  return it == dict.end() ? nullptr : &it->second;
}

struct Token {
  enum class Kind {
    end,          // end of the data
    integer,      // `integer`
    real,         // `real`
    name,         // `text` (decoded)
    string,       // `bytes`, `hex`
    array_open,   // [
    array_close,  // ]
    dict_open,    // <<
    dict_close,   // >>
    keyword,      // `text`: true, false, null, R, obj, endobj, stream, xref, trailer, ...
  };
  Kind kind = Kind::end;
  std::size_t offset = 0;  // where the token starts
  std::int64_t integer = 0;
  double real = 0;
  std::string text;
  Bytes bytes;
  bool hex = false;

  bool is_keyword(std::string_view k) const { return kind == Kind::keyword && text == k; }
};

class Lexer {
 public:
  // `subject` names the document in errors and must outlive the Lexer.
  Lexer(ByteView data, std::size_t pos, const std::string& subject);

  std::size_t pos() const { return pos_; }
  // REQUIRES: pos <= data.size().
  void seek(std::size_t pos) { pos_ = pos; }
  ByteView data() const { return data_; }

  // Skips whitespace and comments.
  void skip_space();
  // The next token (after whitespace and comments); Kind::end at the end of the data.
  Token next();
  // The next token without consuming it.
  Token peek();

  [[noreturn]] void fail(std::size_t offset, const std::string& reason) const;

 private:
  Token number(std::size_t start);
  Token name(std::size_t start);
  Token literal_string(std::size_t start);
  Token hex_string(std::size_t start);

  ByteView data_;
  std::size_t pos_;
  const std::string& subject_;
};

// Returns the value of an indirect /Length reference of a stream (throws when it cannot).
using LengthResolver = std::function<std::int64_t(Ref)>;

struct IndirectObject {
  Ref ref;
  Object object;
};

class Parser {
 public:
  Parser(ByteView data, std::size_t pos, const std::string& subject, int max_depth);

  Lexer& lexer() { return lexer_; }

  // One direct object; `N G R` becomes a Ref. Streams are not allowed here.
  Object parse_object();
  // `N G obj <object> endobj` starting exactly at the current position. A dictionary followed
  // by `stream` becomes a Stream whose /Length is taken directly or through `length` (when
  // `length` is empty, an indirect /Length is an error).
  IndirectObject parse_indirect(const LengthResolver& length);

 private:
  Object parse_value(Token token, int depth);
  Stream parse_stream_body(Dict dict, const LengthResolver& length);

  Lexer lexer_;
  int max_depth_;
};

}  // namespace esign::pdf
