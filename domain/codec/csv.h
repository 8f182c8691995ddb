#pragma once
// One CSV field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break, a
// quote inside doubled. The HTTP statement and `microjobs audit --statement --csv` both write it.
#include <string>
#include <string_view>

namespace microjobs {

inline std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace microjobs
