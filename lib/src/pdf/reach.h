// Following references through a document: what a set of objects uses, directly or not.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "pdf/document.h"

namespace esign::pdf {

// At most this many references are collected by one walk.
inline constexpr std::size_t kMaxWalked = 1'000'000;

// Adds to `seen` every reference reachable from `roots` in `doc` (dangling ones included): each
// object is fetched once and scanned in place, so the walk is linear in what it reads.
// `skip(dict, key)` names the entries not to follow.
template <class Skip>
void reachable(const Document& doc, const std::vector<Object>& roots, std::set<Ref>& seen, Skip skip) {
  std::vector<Ref> todo;
  const auto scan = [&](const auto& self, const Object& o, int depth) -> void {
    if (depth > 64) return;  // the parser's nesting limit
    if (const Ref* r = o.get<Ref>()) {
      if (seen.size() < kMaxWalked && seen.insert(*r).second) todo.push_back(*r);
    } else if (const Array* a = o.get<Array>()) {
      for (const Object& item : *a) self(self, item, depth + 1);
    } else if (const Dict* d = o.dict()) {
      for (const auto& [key, value] : *d)
        if (!skip(*d, key)) self(self, value, depth + 1);
    }
  };
  for (const Object& root : roots) scan(scan, root, 0);
  while (!todo.empty()) {
    const Ref r = todo.back();
    todo.pop_back();
    scan(scan, doc.get(r), 0);
  }
}

}  // namespace esign::pdf
