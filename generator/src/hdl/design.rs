//! A design: the modules of one generated RTL tree, checked together, printed one file each.

use std::collections::{BTreeMap, BTreeSet};

use super::check::check_widths;
use super::error::{ErrorKind, HdlError};
use super::module::{Item, Module};
use super::print::print_module;

/// A set of modules; instances of modules outside the set are black boxes (e.g. analog macros).
#[derive(Clone, Debug, Default)]
pub struct Design {
    pub modules: Vec<Module>,
}

impl Design {
    pub fn new(modules: Vec<Module>) -> Design {
        Design { modules }
    }

    /// Every problem of every module (instances checked against the modules of the design),
    /// duplicate module names and instantiation cycles.
    pub fn check(&self) -> Vec<HdlError> {
        let known: Vec<&Module> = self.modules.iter().collect();
        let mut errors: Vec<HdlError> = Vec::new();
        let mut seen = BTreeSet::new();
        for m in &self.modules {
            if !seen.insert(m.name.as_str()) {
                let msg = format!("module `{}` is defined twice", m.name);
                errors.push(error(m.name.as_str(), ErrorKind::Duplicate, &msg));
            }
            errors.extend(check_widths(m, &known));
        }
        if let Err(e) = self.compile_order() {
            errors.extend(e);
        }
        errors
    }

    /// `(file name, text)` of every module, sorted by file name, after [`Design::check`]
    /// found nothing; otherwise every problem.
    pub fn files(&self) -> Result<Vec<(String, String)>, Vec<HdlError>> {
        let errors = self.check();
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut files: Vec<(String, String)> = self
            .modules
            .iter()
            .map(|m| (format!("{}.v", m.name), print_module(m)))
            .collect();
        files.sort();
        Ok(files)
    }

    /// File names in compile order: every module after the modules it instantiates, ties by
    /// name. Fails when instances form a cycle.
    pub fn compile_order(&self) -> Result<Vec<String>, Vec<HdlError>> {
        let names: BTreeSet<&str> = self.modules.iter().map(|m| m.name.as_str()).collect();
        let mut deps: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for m in &self.modules {
            let children = deps.entry(m.name.as_str()).or_default();
            for item in &m.items {
                if let Item::Instance(inst) = item {
                    if names.contains(inst.module.as_str()) {
                        children.insert(inst.module.as_str());
                    }
                }
            }
        }
        let mut order: Vec<String> = Vec::new();
        while !deps.is_empty() {
            let ready = deps
                .iter()
                .find(|(_, children)| children.is_empty())
                .map(|(name, _)| *name);
            let Some(name) = ready else {
                let cycle: Vec<String> = deps.keys().map(|n| format!("`{n}`")).collect();
                let msg = format!("instances form a cycle among {}", cycle.join(", "));
                let first = deps.keys().next().copied().unwrap_or_default();
                return Err(vec![error(first, ErrorKind::Hierarchy, &msg)]);
            };
            deps.remove(name);
            deps.values_mut().for_each(|c| {
                c.remove(name);
            });
            order.push(format!("{name}.v"));
        }
        Ok(order)
    }
}

fn error(module: &str, kind: ErrorKind, message: &str) -> HdlError {
    HdlError {
        module: module.to_string(),
        item: "design".into(),
        kind,
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdl::{Instance, Kind};

    /// A module with one output `y` driven by instances of `children` (or a constant).
    fn module(name: &str, children: &[&str]) -> Module {
        let mut m = Module::new(name);
        let y = m.output("y", 1);
        if children.is_empty() {
            m.assign(&y, crate::hdl::e::lit(1, 0));
        }
        for (i, c) in children.iter().enumerate() {
            let out = if i == 0 {
                y.clone()
            } else {
                m.wire(&format!("y{i}"), 1)
            };
            let inst = Instance::new(c, &format!("u_{c}")).pin("y", &out);
            m.instance(inst);
        }
        m
    }

    #[test]
    fn compile_order_puts_children_first() {
        let d = Design::new(vec![
            module("top", &["mid", "leaf", "macro"]),
            module("mid", &["leaf"]),
            module("leaf", &[]),
        ]);
        assert_eq!(d.compile_order().unwrap(), ["leaf.v", "mid.v", "top.v"]);
        let files: Vec<String> = d.files().unwrap().into_iter().map(|f| f.0).collect();
        assert_eq!(files, ["leaf.v", "mid.v", "top.v"]);
    }

    #[test]
    fn cycles_and_duplicates_are_errors() {
        let d = Design::new(vec![
            module("a", &["b"]),
            module("b", &["a"]),
            module("b", &["a"]),
        ]);
        let errs: Vec<String> = d.check().iter().map(|e| e.to_string()).collect();
        let expected = [
            "module b, design: module `b` is defined twice",
            "module a, design: instances form a cycle among `a`, `b`",
        ];
        assert_eq!(errs, expected);
        assert!(d.files().is_err());
    }

    #[test]
    fn instances_are_checked_against_the_design() {
        let mut leaf = module("leaf", &[]);
        leaf.port(crate::hdl::Decl::new("x", Kind::Input, 1).waive("UNUSEDSIGNAL", "test"));
        let d = Design::new(vec![module("top", &["leaf"]), leaf]);
        let errs = d.files().unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].message, "port `x` of `leaf` is not connected");
    }
}
