// Configuration flags, settable in code, by THEON_FLAGS="name=value,..." and by an rc file
// (THEONRC, default ~/.theonrc) with lines "name = value" under an optional "[global]" section.
// Precedence: code > THEON_FLAGS > rc file > default.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace theon {

struct FlagSpec {
  std::string name;
  std::string default_value;
  std::string doc;
  // Accepted values; empty means any value that `validate` accepts.
  std::vector<std::string> choices;
  std::function<bool(const std::string&)> validate;
};

class Config {
 public:
  // The process-wide configuration, with THEON_FLAGS and the rc file applied on first use.
  static Config& global();

  void define(FlagSpec spec);
  const std::string& get(const std::string& name) const;
  void set(const std::string& name, const std::string& value);
  bool has(const std::string& name) const { return flags_.count(name) != 0; }
  std::vector<std::string> names() const;
  const FlagSpec& spec(const std::string& name) const;
  // Applies "a=1,b=2"; `source` names where it came from in error messages.
  void apply_flag_string(const std::string& flags, const std::string& source);
  void apply_rc_text(const std::string& text, const std::string& source);

 private:
  struct Flag {
    FlagSpec spec;
    std::string value;
  };
  const Flag& flag(const std::string& name) const;
  std::map<std::string, Flag> flags_;
};

// Shorthands for the flags the core reads.
std::string config_floatX();

}  // namespace theon
