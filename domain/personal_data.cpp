#include "domain/personal_data.h"

#include <algorithm>
#include <array>

namespace microjobs {

bool is_personal_field(std::string_view name) {
  static constexpr std::array<std::string_view, 4> kNames = {"proof", "display_name", "instructions",
                                                             "destination"};
  return std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

}  // namespace microjobs
