#include "commands/personal_data_vault.h"

#include "domain/personal_data.h"

namespace microjobs {
namespace {

// Sealed text of this owner: "mj-sealed:v1:<owner>:…". Another's sealed text is sealed again,
// so that it opens as that text and nothing more (the API refuses such input anyway).
bool sealed_for(std::string_view text, const UserId& owner) {
  if (!is_sealed(text)) return false;
  std::string_view rest = text.substr(kSealedPrefix.size());
  return rest.starts_with(owner.value) && rest.substr(owner.value.size()).starts_with(":");
}

}  // namespace

Status seal_personal_data(Event& event, PersonalDataVault& vault) {
  Status status = ok_status();
  for_each_personal_field(event, [&](const UserId& owner, std::string& text) {
    if (!status.ok() || text.empty() || sealed_for(text, owner)) return;
    auto sealed = vault.seal(owner, text);
    if (!sealed.ok()) {
      status = sealed.error();
      return;
    }
    text = std::move(*sealed);
  });
  return status;
}

}  // namespace microjobs
