#include "theon/ops/print.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <cstdio>
#include <memory>
#include <mutex>
#include <sstream>

#include "theon/core/error.hpp"
#include "theon/graph/op.hpp"
#include "theon/graph/op_factory.hpp"
#include "theon/graph/registry.hpp"

namespace theon {
namespace {

std::mutex& print_sink_mutex() {
  static std::mutex m;
  return m;
}

std::shared_ptr<const PrintSink>& print_sink() {
  static std::shared_ptr<const PrintSink> sink;
  return sink;
}

void emit_line(const std::string& text) {
  std::shared_ptr<const PrintSink> sink;
  {
    std::lock_guard<std::mutex> lock(print_sink_mutex());
    sink = print_sink();
  }
  if (sink) {
    (*sink)(text);
    return;
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

const std::vector<std::string>& known_attrs() {
  static const std::vector<std::string> k{"value", "shape", "dtype", "ndim",
                                          "size",  "min",   "max",   "sum"};
  return k;
}

template <typename T>
void put(std::ostream& os, T v) {
  if constexpr (std::is_same_v<T, bool>) {
    os << (v ? "True" : "False");
  } else if constexpr (sizeof(T) == 1) {
    os << static_cast<int>(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    // NumPy's way: 8 significant digits, a trailing '.' on whole numbers, nan and inf.
    if (std::isnan(v)) {
      os << "nan";
    } else if (std::isinf(v)) {
      os << (v > 0 ? "inf" : "-inf");
    } else {
      std::ostringstream text;
      text << std::setprecision(8) << v;
      const std::string s = text.str();
      os << s << (s.find_first_of(".e") == std::string::npos ? "." : "");
    }
  } else {
    os << v;
  }
}

// Nested brackets as NumPy prints them (without NumPy's column alignment).
template <typename T>
void write_values(std::ostream& os, const NDArray& a, int dim, const char* p) {
  if (dim == a.ndim()) {
    put(os, *reinterpret_cast<const T*>(p));
    return;
  }
  os << '[';
  for (int64_t i = 0; i < a.shape(dim); ++i) {
    if (i)
      os << (dim + 1 == a.ndim() ? " " : "\n" + std::string(static_cast<size_t>(dim + 1), ' '));
    write_values<T>(os, a, dim + 1, p + i * a.strides()[dim]);
  }
  os << ']';
}

template <typename T, typename F>
void for_each_value(const NDArray& a, int dim, const char* p, F& f) {
  if (dim == a.ndim()) {
    f(*reinterpret_cast<const T*>(p));
    return;
  }
  for (int64_t i = 0; i < a.shape(dim); ++i)
    for_each_value<T>(a, dim + 1, p + i * a.strides()[dim], f);
}

std::string reduce_attr(const NDArray& a, const std::string& attr) {
  std::ostringstream os;
  if (a.size() == 0 && attr != "sum") return "(empty)";
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (attr == "sum") {
      double s = 0;
      auto f = [&](T v) { s += static_cast<double>(v); };
      for_each_value<T>(a, 0, a.raw(), f);
      os << s;
      return;
    }
    bool first = true;
    T best{};
    auto f = [&](T v) {
      if (first || (attr == "min" ? v < best : v > best)) best = v;
      first = false;
    };
    for_each_value<T>(a, 0, a.raw(), f);
    put(os, best);
  });
  return os.str();
}

class Print : public Op {
 public:
  Print(std::string message, std::vector<std::string> attrs)
      : message_(std::move(message)), attrs_(std::move(attrs)) {}
  std::string type_name() const override { return "Print"; }
  Props fields() const override {
    std::vector<PropValue> attrs;
    for (const std::string& a : attrs_) attrs.push_back(PropValue::string(a));
    return {{"message", PropValue::string(message_)}, {"attrs", PropValue::list(std::move(attrs))}};
  }
  std::string props() const override {
    std::string s = "message=" + message_ + ",attrs=(";
    for (size_t i = 0; i < attrs_.size(); ++i) s += (i ? "," : "") + attrs_[i];
    return s + ")";
  }
  std::vector<TensorType> output_types(const std::vector<Var>& in) const override {
    if (in.size() != 1) throw TypeError(op_error(*this, "expected 1 input"));
    return {in[0]->type};
  }
  void perform(const std::vector<NDArray>& in, std::vector<NDArray>& out) const override {
    const NDArray& a = in[0];
    std::ostringstream os;
    os << message_;
    for (const std::string& attr : attrs_) {
      os << ' ' << attr << " = ";
      if (attr == "value") {
        visit_dtype(a.dtype(), [&](auto tag) {
          write_values<typename decltype(tag)::type>(os, a, 0, a.raw());
        });
      } else if (attr == "shape") {
        os << shape_str(a.shape());
      } else if (attr == "dtype") {
        os << dtype_name(a.dtype());
      } else if (attr == "ndim") {
        os << a.ndim();
      } else if (attr == "size") {
        os << a.size();
      } else {
        os << reduce_attr(a, attr);
      }
    }
    os << '\n';
    emit_line(os.str());
    out[0] = a;
  }
  std::vector<std::pair<int, int>> view_map() const override { return {{0, 0}}; }
  std::optional<std::vector<std::vector<Var>>> infer_shape(
      const std::vector<Var>&, const std::vector<std::vector<Var>>& shapes) const override {
    return std::vector<std::vector<Var>>{shapes[0]};
  }
  std::vector<Var> L_op(const std::vector<Var>&, const std::vector<Var>&,
                        const std::vector<Var>& gout) const override {
    return {gout[0]};
  }

 private:
  std::string message_;
  std::vector<std::string> attrs_;
};

void check_attrs(const std::vector<std::string>& attrs) {
  for (const std::string& a : attrs) {
    const auto& k = known_attrs();
    if (std::find(k.begin(), k.end(), a) == k.end()) {
      std::string names;
      for (const auto& n : k) names += (names.empty() ? "" : ", ") + n;
      throw ValueError("Print: unknown attribute '" + a + "'; expected one of " + names);
    }
  }
}

OpPtr print_from_fields(const PropReader& f) {
  std::vector<std::string> attrs;
  for (const PropValue& a : f.get_list("attrs")) attrs.push_back(a.as_string(f.context("attrs")));
  check_attrs(attrs);
  return std::make_shared<Print>(f.get_string("message"), std::move(attrs));
}

}  // namespace

void set_print_sink(PrintSink sink) {
  std::lock_guard<std::mutex> lock(print_sink_mutex());
  print_sink() = sink ? std::make_shared<const PrintSink>(std::move(sink)) : nullptr;
}

Var print(const Var& x, const std::string& message, std::vector<std::string> attrs) {
  if (attrs.empty()) attrs = {"value"};
  check_attrs(attrs);
  return make_node1(std::make_shared<Print>(message, std::move(attrs)), {x});
}

THEON_OP_FILE(print) {
  register_op_factory("Print", print_from_fields);
  register_builder("print", 1, 1, [](const std::vector<Var>& in, const Params& p) {
    std::vector<std::string> attrs;
    if (p.has("attrs")) {
      std::string s = p.get_string("attrs", "");  // ','-separated
      std::stringstream ss(s);
      std::string item;
      while (std::getline(ss, item, ',')) {
        if (!item.empty()) attrs.push_back(item);
      }
    }
    return std::vector<Var>{print(in[0], p.get_string("message", ""), attrs)};
  });
}

}  // namespace theon
