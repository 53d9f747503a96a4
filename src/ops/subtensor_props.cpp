// The typed properties of the indexing ops and their factories. An index spec read back from
// bytes is checked to be one make_index_spec could have built (slots numbered in order, parts
// only where the entry kind has them), since the ops index their inputs by those slots.
#include <memory>

#include "subtensor_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"

namespace theon {
namespace {

// One entry as 8 ints: kind, (mode, value) of each part, slot.
constexpr size_t kEntryInts = 8;

PropValue entry_value(const IndexEntry& e) {
  std::vector<int64_t> v{static_cast<int64_t>(e.kind)};
  for (const IndexPart& p : e.part) {
    v.push_back(static_cast<int64_t>(p.mode));
    v.push_back(p.value);
  }
  v.push_back(e.slot);
  return PropValue::ints(std::move(v));
}

// How many parts an entry of this kind uses: Int its index, Slice start, stop and step.
int parts_of(IndexEntry::Kind kind) {
  if (kind == IndexEntry::Kind::Int) return 1;
  return kind == IndexEntry::Kind::Slice ? 3 : 0;
}

IndexSpec spec_from_fields(const PropReader& f) {
  const std::string ctx = f.context("entries");
  IndexSpec spec;
  int next_slot = 0;
  for (const PropValue& value : f.get_list("entries")) {
    const std::vector<int64_t>& v = value.as_ints(ctx);
    auto bad = [&](const std::string& why) {
      return ValueError(ctx + ": entry " + value.str() + " " + why);
    };
    if (v.size() != kEntryInts) throw bad("does not have " + std::to_string(kEntryInts) + " ints");
    if (v[0] < 0 || v[0] > static_cast<int64_t>(IndexEntry::Kind::Mask)) throw bad("has no kind");
    IndexEntry e;
    e.kind = static_cast<IndexEntry::Kind>(v[0]);
    const int used = parts_of(e.kind);
    for (int k = 0; k < 3; ++k) {
      const int64_t mode = v[1 + 2 * k], part_value = v[2 + 2 * k];
      if (mode < 0 || mode > static_cast<int64_t>(IndexPart::Mode::Input)) {
        throw bad("has a part of no mode");
      }
      e.part[k] = {static_cast<IndexPart::Mode>(mode), part_value};
      const bool none = e.part[k].mode == IndexPart::Mode::None;
      if ((k >= used || none) && !(none && part_value == 0)) throw bad("has a stray part");
      if (e.part[k].mode == IndexPart::Mode::Input && part_value != next_slot++) {
        throw bad("takes index inputs out of order");
      }
    }
    if (e.kind == IndexEntry::Kind::Int && e.part[0].mode == IndexPart::Mode::None) {
      throw bad("has no index");
    }
    e.slot = static_cast<int>(v[7]);
    const bool array = e.kind == IndexEntry::Kind::Array || e.kind == IndexEntry::Kind::Mask;
    if (array ? v[7] != next_slot++ : v[7] != -1) throw bad("has a wrong slot");
    spec.entries.push_back(e);
  }
  const int64_t num_inputs = f.get_int("num_inputs");
  if (num_inputs != next_slot) {
    throw ValueError(f.context("num_inputs") + ": the entries take " + std::to_string(next_slot) +
                     " index inputs, not " + std::to_string(num_inputs));
  }
  spec.num_inputs = next_slot;
  return spec;
}

// The spec of an advanced op must have an array or mask, that of a basic op none.
IndexSpec checked_spec(const PropReader& f, bool advanced) {
  IndexSpec spec = spec_from_fields(f);
  if (spec.advanced() != advanced) {
    throw ValueError(f.context("entries") +
                     (advanced ? ": no index array or mask" : ": an index array or mask"));
  }
  return spec;
}

}  // namespace

Props IndexingOp::fields() const {
  std::vector<PropValue> entries;
  for (const IndexEntry& e : spec_.entries) entries.push_back(entry_value(e));
  return {{"entries", PropValue::list(std::move(entries))},
          {"num_inputs", PropValue::integer(spec_.num_inputs)}};
}

Props IncSubtensorBase::fields() const {
  Props f = IndexingOp::fields();
  f.push_back({"set_instead_of_inc", PropValue::boolean(set_)});
  f.push_back({"inplace", PropValue::boolean(inplace_)});
  return f;
}

namespace subtensor_detail {

void register_subtensor_factories() {
  register_op_factory("Subtensor", [](const PropReader& f) -> OpPtr {
    return std::make_shared<Subtensor>(checked_spec(f, false));
  });
  register_op_factory("AdvancedSubtensor", [](const PropReader& f) -> OpPtr {
    return std::make_shared<AdvancedSubtensor>(checked_spec(f, true));
  });
  register_op_factory("IncSubtensor", [](const PropReader& f) -> OpPtr {
    return std::make_shared<IncSubtensor>(checked_spec(f, false), f.get_bool("set_instead_of_inc"),
                                          f.get_bool("inplace"));
  });
  register_op_factory("AdvancedIncSubtensor", [](const PropReader& f) -> OpPtr {
    return std::make_shared<AdvancedIncSubtensor>(
        checked_spec(f, true), f.get_bool("set_instead_of_inc"), f.get_bool("inplace"));
  });
}

}  // namespace subtensor_detail
}  // namespace theon
