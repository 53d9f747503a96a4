// The graph format, version 1, little-endian:
//   magic "THEONGR\n", u32 version, u64 record count, records, u64 output count, output ids.
// Each record defines variables, numbered from 0 in the order they are defined:
//   Input    type, name, where                                      one variable
//   Constant type, name, where, array                               one variable
//   Shared   cell, type, name, where                                one variable
//   Node     op type name, fields, input ids, where, nout, (type, name) per output
//   Leaf     index into the leaves kept outside the bytes                one variable
// Leaf records appear only in bytes written with the leaves kept outside (inputs and shared
// variables, for Python's pickle to keep their identity across graphs); readers without leaves
// reject them, so bytes of either kind read as before.
// A cell is the index of a value cell; the first use of an index writes the cell's name and
// value. Strings are a u64 length and bytes; a type is its dtype name, u64 ndim, i64 sizes
// (-1 unknown) and device name ("cpu", "cuda0"), where the dtype name of a type of another
// value kind (registered with register_value_kind) is "<kind name>:<dtype name>"; an array its
// dtype name, u64 ndim, i64 sizes and C-order element bytes; fields are a u64 count of (name,
// tagged value), where a value is a PropValue::Kind byte and its payload (a nested op as type name
// and fields, a variable as the id of an earlier one).
#include "theon/graph/serialize.hpp"

#include <map>
#include <mutex>
#include <new>
#include <stdexcept>
#include <unordered_map>

#include "byte_io.hpp"
#include "theon/core/checked_size.hpp"
#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"

namespace theon {
namespace {

using byte_io::ByteReader;
using byte_io::ByteWriter;

constexpr std::string_view kMagic{"THEONGR\n", 8};
constexpr uint32_t kVersion = 1;
// Nesting of lists and ops within one field value.
constexpr int kMaxNesting = 64;

enum class Record : uint8_t { Input, Constant, Shared, Node, Leaf };

struct RegisteredKind {
  std::shared_ptr<const ValueKind> kind;
  ValueKindTypeCheck check;
};

std::mutex kinds_mutex;
// The value kinds types may have, by name.
std::map<std::string, RegisteredKind>& value_kinds() {
  static std::map<std::string, RegisteredKind> kinds;
  return kinds;
}

const RegisteredKind* value_kind_named(const std::string& name) {
  std::lock_guard lock(kinds_mutex);
  auto it = value_kinds().find(name);
  return it == value_kinds().end() ? nullptr : &it->second;
}

// Every variable a field value refers to, through lists and nested ops.
void field_vars(const PropValue& v, std::vector<Var>& out) {
  switch (v.kind()) {
    case PropValue::Kind::Var:
      out.push_back(v.as_var(""));
      break;
    case PropValue::Kind::List:
      for (const PropValue& item : v.as_list("")) field_vars(item, out);
      break;
    case PropValue::Kind::Op:
      for (const PropField& f : v.as_op("")->fields()) field_vars(f.value, out);
      break;
    default:
      break;
  }
}

class GraphWriter {
 public:
  // With `leaves`, inputs and shared variables are not written but appended to it.
  explicit GraphWriter(std::vector<Var>* leaves = nullptr) : leaves_(leaves) {}

  std::string write(const std::vector<Var>& outputs) {
    for (const Var& v : outputs) {
      if (!v) throw ValueError("serialize: an output is null");
      define(v);
    }
    ByteWriter out;
    out.raw(kMagic);
    out.u32(kVersion);
    out.u64(records_);
    out.raw(body_.bytes());
    out.u64(outputs.size());
    for (const Var& v : outputs) out.u64(ids_.at(v.get()));
    return std::move(out.bytes());
  }

 private:
  // Writes the records of `root` and everything it depends on, dependencies first (iteratively,
  // so deep graphs do not exhaust the stack).
  void define(const Var& root) {
    std::vector<std::pair<Var, bool>> stack{{root, false}};
    while (!stack.empty()) {
      auto [v, expanded] = stack.back();
      stack.pop_back();
      if (ids_.count(v.get())) continue;
      if (!v->owner) {
        write_leaf(v);
        continue;
      }
      if (expanded) {
        write_node(*v->owner);
        continue;
      }
      stack.push_back({v, true});
      std::vector<Var> deps = v->owner->inputs();
      for (const PropField& f : v->owner->op()->fields()) field_vars(f.value, deps);
      for (auto it = deps.rbegin(); it != deps.rend(); ++it) {
        if (!ids_.count(it->get())) stack.push_back({*it, false});
      }
    }
  }

  void write_type(const TensorType& t) {
    if (t.is_tensor()) {
      body_.str(dtype_name(t.dtype));
    } else {
      const RegisteredKind* kind = value_kind_named(t.value_kind->name());
      if (!kind || !kind->kind->equals(*t.value_kind)) {
        throw NotImplementedError("serialize: variables of kind '" + t.value_kind->name() +
                                  "' cannot be written (only dense tensors and registered "
                                  "value kinds)");
      }
      body_.str(t.value_kind->name() + ":" + std::string(dtype_name(t.dtype)));
    }
    body_.u64(t.shape.size());
    for (int64_t d : t.shape) body_.i64(d);
    body_.str(t.device.str());
  }

  void write_array(const NDArray& value) {
    const NDArray a = value.is_c_contiguous() ? value : value.copy();
    body_.str(dtype_name(a.dtype()));
    body_.u64(a.shape().size());
    for (int64_t d : a.shape()) body_.i64(d);
    body_.elements(a.raw(), static_cast<uint64_t>(a.size()), itemsize(a.dtype()));
  }

  void write_value(const PropValue& v) {
    body_.u8(static_cast<uint8_t>(v.kind()));
    switch (v.kind()) {
      case PropValue::Kind::None:
        break;
      case PropValue::Kind::Bool:
        body_.u8(v.as_bool("") ? 1 : 0);
        break;
      case PropValue::Kind::Int:
        body_.i64(v.as_int(""));
        break;
      case PropValue::Kind::Float:
        body_.f64(v.as_float(""));
        break;
      case PropValue::Kind::String:
        body_.str(v.as_string(""));
        break;
      case PropValue::Kind::Ints:
        body_.u64(v.as_ints("").size());
        for (int64_t i : v.as_ints("")) body_.i64(i);
        break;
      case PropValue::Kind::DType:
        body_.str(dtype_name(v.as_dtype("")));
        break;
      case PropValue::Kind::Type:
        write_type(v.as_type(""));
        break;
      case PropValue::Kind::Op:
        write_op(*v.as_op(""));
        break;
      case PropValue::Kind::Var:
        body_.u64(ids_.at(v.as_var("").get()));
        break;
      case PropValue::Kind::List:
        body_.u64(v.as_list("").size());
        for (const PropValue& item : v.as_list("")) write_value(item);
        break;
    }
  }

  // Only ops that a factory can rebuild: bytes that could not be read back are refused now,
  // when the user saves, rather than when they load.
  void write_op(const Op& op) {
    if (!has_op_factory(op.type_name())) {
      throw NotImplementedError("serialize: op " + op.name() + " (" + op.type_name() +
                                ") cannot be written: no factory rebuilds it from its fields");
    }
    body_.str(op.type_name());
    write_props(op.fields());
  }

  void write_props(const Props& fields) {
    body_.u64(fields.size());
    for (const PropField& f : fields) {
      body_.str(f.name);
      write_value(f.value);
    }
  }

  void write_leaf(const Var& v) {
    if (leaves_ && !v->is_constant()) {
      body_.u8(static_cast<uint8_t>(Record::Leaf));
      body_.u64(leaves_->size());
      leaves_->push_back(v);
      ids_[v.get()] = next_id_++;
      ++records_;
      return;
    }
    if (v->is_constant()) {
      body_.u8(static_cast<uint8_t>(Record::Constant));
    } else if (v->is_shared()) {
      body_.u8(static_cast<uint8_t>(Record::Shared));
      auto [it, fresh] = cells_.emplace(v->shared.get(), cells_.size());
      body_.u64(it->second);
      if (fresh) {
        if (v->shared->object) {
          throw NotImplementedError("serialize: shared variable " + var_label(*v) + " holds a " +
                                    v->shared->object->kind() +
                                    ", whose value cannot be written (pickle it instead)");
        }
        body_.str(v->shared->name);
        write_array(v->shared->load());
      }
    } else {
      body_.u8(static_cast<uint8_t>(Record::Input));
    }
    write_type(v->type);
    body_.str(v->name);
    body_.str(v->where);
    if (v->is_constant()) write_array(*v->constant);
    ids_[v.get()] = next_id_++;
    ++records_;
  }

  void write_node(const Apply& node) {
    body_.u8(static_cast<uint8_t>(Record::Node));
    write_op(*node.op());
    body_.u64(node.inputs().size());
    for (const Var& in : node.inputs()) body_.u64(ids_.at(in.get()));
    body_.str(node.where());
    body_.u64(static_cast<uint64_t>(node.nout()));
    for (int i = 0; i < node.nout(); ++i) {
      write_type(node.output_ref(i).type);
      body_.str(node.output_ref(i).name);
      ids_[&node.output_ref(i)] = next_id_++;
    }
    ++records_;
  }

  std::vector<Var>* leaves_;
  ByteWriter body_;
  uint64_t records_ = 0;
  uint64_t next_id_ = 0;
  std::unordered_map<const Variable*, uint64_t> ids_;
  std::unordered_map<const SharedValue*, uint64_t> cells_;
};

class GraphReader {
 public:
  GraphReader(const std::string& bytes, const std::vector<Var>* leaves)
      : r_(bytes), leaves_(leaves) {}

  std::vector<Var> read() {
    ensure_ops_registered();  // the op files register the value kinds types may have
    if (r_.view(kMagic.size(), "the header") != kMagic) r_.fail("not a Theon graph (bad magic)");
    const uint32_t version = r_.u32("the version");
    if (version != kVersion) {
      throw ValueError("graph bytes have format version " + std::to_string(version) +
                       "; this build reads version " + std::to_string(kVersion));
    }
    const uint64_t records = r_.count("the record count", 1);
    for (uint64_t i = 0; i < records; ++i) read_record();
    const uint64_t n = r_.count("the output count", 8);
    std::vector<Var> outputs;
    for (uint64_t i = 0; i < n; ++i) outputs.push_back(var_ref("an output"));
    if (r_.left() != 0) r_.fail(std::to_string(r_.left()) + " trailing bytes");
    return outputs;
  }

 private:
  DType read_dtype(const char* what) {
    const std::string name = r_.str(what);
    try {
      return parse_dtype(name);
    } catch (const Error&) {
      r_.fail("unknown dtype '" + name + "' in " + what);
    }
  }

  TensorType read_type() {
    TensorType t;
    const std::string name = r_.str("a type");
    const size_t colon = name.find(':');
    const RegisteredKind* kind = nullptr;
    if (colon != std::string::npos) {
      kind = value_kind_named(name.substr(0, colon));
      if (!kind) r_.fail("unknown value kind '" + name.substr(0, colon) + "'");
      t.value_kind = kind->kind;
    }
    const std::string dtype = colon == std::string::npos ? name : name.substr(colon + 1);
    try {
      t.dtype = parse_dtype(dtype);
    } catch (const Error&) {
      r_.fail("unknown dtype '" + dtype + "' in a type");
    }
    const uint64_t ndim = r_.count("a type's ndim", 8);
    for (uint64_t i = 0; i < ndim; ++i) {
      const int64_t d = r_.i64("a static size");
      if (d < kUnknownDim) r_.fail("negative static size " + std::to_string(d));
      t.shape.push_back(d);
    }
    const std::string device = r_.str("a type's device");
    try {
      t.device = parse_device(device);
    } catch (const Error&) {
      r_.fail("unknown device '" + device + "'");
    }
    if (kind) {
      const std::string problem = kind->check(t);
      if (!problem.empty()) r_.fail("a type of kind '" + t.value_kind->name() + "': " + problem);
    }
    return t;
  }

  NDArray read_array() {
    const DType dtype = read_dtype("an array");
    const uint64_t ndim = r_.count("an array's ndim", 8);
    Shape shape;
    for (uint64_t i = 0; i < ndim; ++i) {
      const int64_t d = r_.i64("an array size");
      if (d < 0) r_.fail("negative array size " + std::to_string(d));
      shape.push_back(d);
    }
    size_t nbytes = 0;
    try {
      nbytes = checked_nbytes(shape, itemsize(dtype), "", dtype);
    } catch (const ValueError& e) {
      r_.fail(std::string("the array's ") + e.what());
    }
    const auto size = static_cast<uint64_t>(shape_size(shape));
    r_.need(nbytes, "the array's elements");
    NDArray a = NDArray::empty(dtype, shape);
    r_.elements(a.raw(), size, itemsize(dtype), "the array's elements");
    if (dtype == DType::Bool) {
      for (uint64_t i = 0; i < size; ++i) {
        if (static_cast<uint8_t>(a.raw()[i]) > 1) r_.fail("a bool array holds a value not 0 or 1");
      }
    }
    return a;
  }

  Var var_ref(const char* what) {
    const uint64_t id = r_.u64(what);
    if (id >= vars_.size()) {
      r_.fail(std::string(what) + " refers to variable " + std::to_string(id) + " of " +
              std::to_string(vars_.size()) + " defined");
    }
    return vars_[id];
  }

  OpPtr read_op(const std::string& type_name, int depth) {
    Props fields = read_props(depth);
    try {
      return make_op(type_name, fields);
    } catch (const Error& e) {
      r_.fail(std::string("op ") + type_name + ": " + e.what());
    }
  }

  PropValue read_value(int depth) {
    if (depth > kMaxNesting) r_.fail("property values nested too deeply");
    const uint8_t kind = r_.u8("a property kind");
    switch (static_cast<PropValue::Kind>(kind)) {
      case PropValue::Kind::None:
        return PropValue();
      case PropValue::Kind::Bool:
        return PropValue::boolean(r_.boolean("a bool property"));
      case PropValue::Kind::Int:
        return PropValue::integer(r_.i64("an int property"));
      case PropValue::Kind::Float:
        return PropValue::real(r_.f64("a float property"));
      case PropValue::Kind::String:
        return PropValue::string(r_.str("a string property"));
      case PropValue::Kind::Ints: {
        const uint64_t n = r_.count("an int list", 8);
        std::vector<int64_t> v;
        for (uint64_t i = 0; i < n; ++i) v.push_back(r_.i64("an int list"));
        return PropValue::ints(std::move(v));
      }
      case PropValue::Kind::DType:
        return PropValue::dtype(read_dtype("a dtype property"));
      case PropValue::Kind::Type:
        return PropValue::type(read_type());
      case PropValue::Kind::Op: {
        const std::string type_name = r_.str("a nested op");
        return PropValue::op(read_op(type_name, depth + 1));
      }
      case PropValue::Kind::Var:
        return PropValue::var(var_ref("a variable property"));
      case PropValue::Kind::List: {
        const uint64_t n = r_.count("a list property", 1);
        std::vector<PropValue> items;
        for (uint64_t i = 0; i < n; ++i) items.push_back(read_value(depth + 1));
        return PropValue::list(std::move(items));
      }
    }
    r_.fail("unknown property kind " + std::to_string(kind));
  }

  Props read_props(int depth) {
    const uint64_t n = r_.count("a field count", 9);
    Props fields;
    for (uint64_t i = 0; i < n; ++i) {
      std::string name = r_.str("a field name");
      fields.push_back({std::move(name), read_value(depth)});
    }
    return fields;
  }

  void read_record() {
    const uint8_t kind = r_.u8("a record kind");
    if (kind > static_cast<uint8_t>(Record::Leaf)) r_.fail("unknown record kind");
    if (static_cast<Record>(kind) == Record::Node) return read_node();
    if (static_cast<Record>(kind) == Record::Leaf) return read_leaf();
    std::shared_ptr<SharedValue> cell;
    if (static_cast<Record>(kind) == Record::Shared) cell = read_cell();
    TensorType type = read_type();
    std::string name = r_.str("a variable name");
    std::string where = r_.str("a creation trace");
    Var v;
    if (static_cast<Record>(kind) == Record::Constant) {
      NDArray value = read_array();
      check_value_fits(type, value, "a constant");
      v = make_constant(std::move(value), std::move(name));
      v->type = std::move(type);
    } else if (cell) {
      check_value_fits(type, cell->value, "a shared variable");
      v = make_shared(cell, std::move(type));
      v->name = std::move(name);
    } else {
      v = make_input(std::move(type), std::move(name));
    }
    v->where = std::move(where);
    vars_.push_back(std::move(v));
  }

  void read_leaf() {
    if (!leaves_) r_.fail("a leaf kept outside the bytes, but none were given");
    const uint64_t index = r_.u64("a leaf index");
    if (index >= leaves_->size()) {
      r_.fail("leaf " + std::to_string(index) + " of " + std::to_string(leaves_->size()) +
              " given");
    }
    const Var& v = (*leaves_)[index];
    if (!v || v->owner || v->is_constant())
      r_.fail("leaf " + std::to_string(index) + " is not an input or shared variable");
    vars_.push_back(v);
  }

  std::shared_ptr<SharedValue> read_cell() {
    const uint64_t index = r_.u64("a value cell");
    if (index < cells_.size()) return cells_[index];
    if (index > cells_.size()) r_.fail("value cell " + std::to_string(index) + " out of order");
    auto cell = std::make_shared<SharedValue>();
    cell->name = r_.str("a value cell's name");
    cell->value = read_array();
    cells_.push_back(cell);
    return cell;
  }

  void check_value_fits(const TensorType& type, const NDArray& value, const char* what) {
    if (value.dtype() != type.dtype || !type.accepts_shape(value.shape())) {
      r_.fail(std::string(what) + " of type " + type.str() + " holds a " +
              std::string(dtype_name(value.dtype())) + " value of shape " +
              shape_str(value.shape()));
    }
  }

  void read_node() {
    const std::string type_name = r_.str("an op type name");
    OpPtr op = read_op(type_name, 0);
    const uint64_t nin = r_.count("an input count", 8);
    std::vector<Var> inputs;
    for (uint64_t i = 0; i < nin; ++i) inputs.push_back(var_ref("a node input"));
    std::string where = r_.str("a creation trace");
    const uint64_t nout = r_.count("an output count", 25);
    std::vector<TensorType> types;
    std::vector<std::string> names;
    for (uint64_t i = 0; i < nout; ++i) {
      types.push_back(read_type());
      names.push_back(r_.str("an output name"));
    }
    std::vector<TensorType> inferred;
    try {
      inferred = output_types_on_device(*op, inputs);
    } catch (const Error& e) {
      r_.fail("node " + op->name() + " does not accept its inputs: " + e.what());
    }
    if (inferred.size() != types.size()) {
      r_.fail("node " + op->name() + " has " + std::to_string(inferred.size()) +
              " outputs, the bytes " + std::to_string(types.size()));
    }
    for (size_t i = 0; i < types.size(); ++i) {
      if (types[i].dtype != inferred[i].dtype || !types[i].compatible_with(inferred[i])) {
        r_.fail("node " + op->name() + " output " + std::to_string(i) + " has type " +
                types[i].str() + ", its op gives " + inferred[i].str());
      }
    }
    auto node = std::make_shared<Apply>(std::move(op), std::move(inputs), types, std::move(where));
    for (int i = 0; i < node->nout(); ++i) {
      Var out = node->output(i);
      out->name = std::move(names[i]);
      vars_.push_back(std::move(out));
    }
  }

  ByteReader r_;
  const std::vector<Var>* leaves_;
  std::vector<Var> vars_;
  std::vector<std::shared_ptr<SharedValue>> cells_;
};

}  // namespace

void register_value_kind(std::shared_ptr<const ValueKind> kind, ValueKindTypeCheck check) {
  std::lock_guard lock(kinds_mutex);
  std::string name = kind->name();
  value_kinds().emplace(std::move(name), RegisteredKind{std::move(kind), std::move(check)});
}

std::string serialize(const std::vector<Var>& outputs) {
  return GraphWriter().write(outputs);
}

std::string serialize(const std::vector<Var>& outputs, std::vector<Var>& leaves) {
  leaves.clear();
  return GraphWriter(&leaves).write(outputs);
}

std::vector<Var> deserialize(const std::string& bytes) {
  return deserialize(bytes, nullptr);
}

std::vector<Var> deserialize(const std::string& bytes, const std::vector<Var>* leaves) {
  try {
    return GraphReader(bytes, leaves).read();
  } catch (const std::bad_alloc&) {
    throw ValueError("graph bytes are corrupt: they describe more memory than can be allocated");
  } catch (const std::length_error&) {
    throw ValueError("graph bytes are corrupt: they describe a size beyond what can be allocated");
  }
}

}  // namespace theon
