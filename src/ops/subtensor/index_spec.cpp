// The index description shared by the four indexing ops: the spec built from a NumPy key
// (make_index_spec), its text, the slice and advanced-layout arithmetic of NumPy, and the spec
// as typed fields. An index spec read back from bytes is checked to be one make_index_spec
// could have built (slots numbered in order, parts only where the entry kind has them), since
// the ops index their inputs by those slots.
#include <string>
#include <vector>

#include "subtensor_detail.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/ops/subtensor.hpp"

namespace theon {

using subtensor_detail::render;
using subtensor_detail::SliceRange;

bool IndexSpec::advanced() const {
  for (const auto& e : entries) {
    if (e.kind == IndexEntry::Kind::Array || e.kind == IndexEntry::Kind::Mask) return true;
  }
  return false;
}

std::string IndexSpec::str() const {
  // Arrays and masks print by kind: the slot is implied by the order of the entries.
  std::vector<bool> mask_slot(num_inputs, false);
  for (const auto& e : entries)
    if (e.kind == IndexEntry::Kind::Mask) mask_slot[e.slot] = true;
  std::vector<bool> array_slot(num_inputs, false);
  for (const auto& e : entries)
    if (e.kind == IndexEntry::Kind::Array) array_slot[e.slot] = true;
  return render(*this, [&](int slot) -> std::string {
    if (mask_slot[slot]) return "[bool]";
    if (array_slot[slot]) return "[int]";
    return "$";
  });
}

namespace subtensor_detail {

SliceRange normalize_slice(std::optional<int64_t> start, std::optional<int64_t> stop,
                           std::optional<int64_t> step, int64_t n) {
  // Python's slice.indices(n); the caller has rejected a zero step.
  const int64_t st = step.value_or(1);
  const int64_t lower = st > 0 ? 0 : -1;
  const int64_t upper = st > 0 ? n : n - 1;
  auto clamp = [&](std::optional<int64_t> v, int64_t dflt) {
    if (!v) return dflt;
    int64_t x = *v;
    if (x < 0) {
      x += n;
      return x < lower ? lower : x;
    }
    return x > upper ? upper : x;
  };
  const int64_t b = clamp(start, st > 0 ? lower : upper);
  const int64_t e = clamp(stop, st > 0 ? upper : lower);
  int64_t len = 0;
  if (st > 0) {
    len = e > b ? (e - b + st - 1) / st : 0;
  } else {
    len = b > e ? (b - e - st - 1) / (-st) : 0;
  }
  return {len == 0 ? 0 : b, len, st};
}

AdvLayout adv_layout(const IndexSpec& spec) {
  AdvLayout L;
  L.advanced = spec.advanced();
  if (!L.advanced) return L;
  int first = -1, last = -1, count = 0;
  for (int i = 0; i < static_cast<int>(spec.entries.size()); ++i) {
    const auto k = spec.entries[i].kind;
    if (k == IndexEntry::Kind::Int || k == IndexEntry::Kind::Array || k == IndexEntry::Kind::Mask) {
      if (first < 0) first = i;
      last = i;
      ++count;
    }
  }
  const bool adjacent = last - first + 1 == count;
  // NumPy: adjacent advanced indices replace their dimensions in place; otherwise the
  // broadcast dimensions come first.
  int pos = 0;
  if (adjacent) {
    for (int i = 0; i < first; ++i) {
      const auto k = spec.entries[i].kind;
      if (k == IndexEntry::Kind::Slice || k == IndexEntry::Kind::NewAxis) ++pos;
    }
  }
  L.adv_pos = pos;
  return L;
}

std::string out_of_bounds(int64_t index, int axis, int64_t size) {
  return "index " + std::to_string(index) + " is out of bounds for axis " + std::to_string(axis) +
         " with size " + std::to_string(size);
}

std::string mask_mismatch(int axis, int64_t size, int64_t mask_size) {
  return "boolean index did not match indexed array along axis " + std::to_string(axis) +
         "; size of axis is " + std::to_string(size) +
         " but size of corresponding boolean axis is " + std::to_string(mask_size);
}

}  // namespace subtensor_detail

IndexSpec make_index_spec(int ndim, const IndexKey& key, std::vector<Var>* inputs) {
  const std::string who = "getitem";
  int ellipses = 0;
  int consumed = 0;
  for (const auto& k : key) {
    switch (k.kind) {
      case Index::Kind::Ellipsis:
        ++ellipses;
        break;
      case Index::Kind::NewAxis:
        break;
      case Index::Kind::Array:
        if (!k.array) throw IndexError(who + ": null index array");
        consumed += is_bool(k.array->type.dtype) ? k.array->type.ndim() : 1;
        break;
      default:
        ++consumed;
    }
  }
  if (ellipses > 1) throw IndexError(who + ": an index can only have a single ellipsis ('...')");
  if (consumed > ndim) {
    throw IndexError(who + ": too many indices for array: array is " + std::to_string(ndim) +
                     "-dimensional, but " + std::to_string(consumed) + " were indexed");
  }
  std::vector<Var> unused;
  if (!inputs) inputs = &unused;
  IndexSpec spec;
  auto add_input = [&](const Var& v) {
    inputs->push_back(v);
    return spec.num_inputs++;
  };
  auto scalar_part = [&](const IndexValue& v) {
    IndexPart p;
    if (v.value) {
      p.mode = IndexPart::Mode::Const;
      p.value = *v.value;
    } else if (v.var) {
      if (v.var->type.ndim() != 0 || !is_integer(v.var->type.dtype)) {
        throw IndexError(who + ": " + kBadIndex + " (got a " +
                         std::string(dtype_name(v.var->type.dtype)) + " variable with " +
                         std::to_string(v.var->type.ndim()) + " dims)");
      }
      p.mode = IndexPart::Mode::Input;
      p.value = add_input(v.var);
    }
    return p;
  };
  for (const auto& k : key) {
    IndexEntry e;
    switch (k.kind) {
      case Index::Kind::Ellipsis:
        for (int i = 0; i < ndim - consumed; ++i) spec.entries.push_back(IndexEntry{});
        continue;
      case Index::Kind::NewAxis:
        e.kind = IndexEntry::Kind::NewAxis;
        break;
      case Index::Kind::Int:
        if (k.a.none()) throw IndexError(who + ": integer index is None");
        e.kind = IndexEntry::Kind::Int;
        e.part[0] = scalar_part(k.a);
        break;
      case Index::Kind::Slice: {
        e.kind = IndexEntry::Kind::Slice;
        e.part[0] = scalar_part(k.a);
        e.part[1] = scalar_part(k.b);
        e.part[2] = scalar_part(k.c);
        if (e.part[2].mode == IndexPart::Mode::Const && e.part[2].value == 0) {
          throw ValueError(who + ": slice step cannot be zero");
        }
        // Canonical form: a step of 1 and a start of 0 (with a positive step) are defaults.
        if (e.part[2].mode == IndexPart::Mode::Const && e.part[2].value == 1) e.part[2] = {};
        const bool positive = e.part[2].mode == IndexPart::Mode::None ||
                              (e.part[2].mode == IndexPart::Mode::Const && e.part[2].value > 0);
        if (positive && e.part[0].mode == IndexPart::Mode::Const && e.part[0].value == 0) {
          e.part[0] = {};
        }
        break;
      }
      case Index::Kind::Array: {
        const DType dt = k.array->type.dtype;
        if (!is_integer(dt) && !is_bool(dt)) {
          throw IndexError(who + ": " + kBadIndex + " (got a " + std::string(dtype_name(dt)) +
                           " array)");
        }
        e.kind = is_bool(dt) ? IndexEntry::Kind::Mask : IndexEntry::Kind::Array;
        e.slot = add_input(k.array);
        break;
      }
    }
    spec.entries.push_back(e);
  }
  // Trailing full slices change nothing.
  while (!spec.entries.empty() && spec.entries.back() == IndexEntry{}) spec.entries.pop_back();
  return spec;
}

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

}  // namespace

Props IndexingOp::fields() const {
  std::vector<PropValue> entries;
  for (const IndexEntry& e : spec_.entries) entries.push_back(entry_value(e));
  return {{"entries", PropValue::list(std::move(entries))},
          {"num_inputs", PropValue::integer(spec_.num_inputs)}};
}

namespace subtensor_detail {

// The spec of an advanced op must have an array or mask, that of a basic op none.
IndexSpec checked_spec(const PropReader& f, bool advanced) {
  IndexSpec spec = spec_from_fields(f);
  if (spec.advanced() != advanced) {
    throw ValueError(f.context("entries") +
                     (advanced ? ": no index array or mask" : ": an index array or mask"));
  }
  return spec;
}

}  // namespace subtensor_detail
}  // namespace theon
