//! Identifiers: the only place where HDL names are created. An [`Ident`] is a plain Verilog
//! identifier (`[A-Za-z_][A-Za-z0-9_$]*`) that is not a Verilog-2005 or SystemVerilog keyword
//! (Verilator reads `.v` files with SystemVerilog keywords unless told otherwise).

use std::fmt;

/// A checked Verilog identifier. The printer writes it as is, never escaped or renamed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ident(String);

impl Ident {
    /// Checks `name`; the error says what is wrong, for names built from user data.
    pub fn new(name: &str) -> Result<Ident, String> {
        let mut chars = name.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            return Err(format!(
                "`{name}` is not a Verilog identifier ([A-Za-z_][A-Za-z0-9_$]*)"
            ));
        }
        if KEYWORDS.split_whitespace().any(|k| k == name) {
            return Err(format!("`{name}` is a Verilog keyword"));
        }
        Ok(Ident(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An identifier written in generator code; the builders call it on every name they take.
///
/// # Panics
/// When `name` is not a valid identifier: a bug in the generator, reported at the call.
pub fn ident(name: &str) -> Ident {
    Ident::new(name).unwrap_or_else(|e| panic!("invalid HDL name: {e}"))
}

/// The name of element `index` of an unrolled structure: `base_index` (`sum_3`).
pub fn indexed(base: &str, index: usize) -> Ident {
    ident(&format!("{base}_{index}"))
}

/// Verilog-2005 (IEEE 1364-2005) and SystemVerilog (IEEE 1800-2017) reserved words, sorted.
const KEYWORDS: &str = "\
    accept_on alias always always_comb always_ff always_latch and assert assign assume automatic \
    before begin bind bins binsof bit break buf bufif0 bufif1 byte case casex casez cell chandle \
    checker class clocking cmos config const constraint context continue cover covergroup \
    coverpoint cross deassign default defparam design disable dist do edge else end endcase \
    endchecker endclass endclocking endconfig endfunction endgenerate endgroup endinterface \
    endmodule endpackage endprimitive endprogram endproperty endsequence endspecify endtable \
    endtask enum event eventually expect export extends extern final first_match for force \
    foreach forever fork forkjoin function generate genvar global highz0 highz1 if iff ifnone \
    ignore_bins illegal_bins implements implies import incdir include initial inout input inside \
    instance int integer interconnect interface intersect join join_any join_none large let \
    liblist library local localparam logic longint macromodule matches medium modport module \
    nand negedge nettype new nexttime nmos nor noshowcancelled not notif0 notif1 null or output \
    package packed parameter pmos posedge primitive priority program property protected pull0 \
    pull1 pulldown pullup pulsestyle_ondetect pulsestyle_onevent pure rand randc randcase \
    randsequence rcmos real realtime ref reg reject_on release repeat restrict return rnmos \
    rpmos rtran rtranif0 rtranif1 s_always s_eventually s_nexttime s_until s_until_with scalared \
    sequence shortint shortreal showcancelled signed small soft solve specify specparam static \
    string strong strong0 strong1 struct super supply0 supply1 sync_accept_on sync_reject_on \
    table tagged task this throughout time timeprecision timeunit tran tranif0 tranif1 tri tri0 \
    tri1 triand trior trireg type typedef union unique unique0 unsigned until until_with untyped \
    use uwire var vectored virtual void wait wait_order wand weak weak0 weak1 while wildcard \
    wire with within wor xnor xor";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_checked() {
        assert_eq!(ident("count_q$1").as_str(), "count_q$1");
        assert_eq!(indexed("sum", 3).as_str(), "sum_3");
        assert_eq!(
            Ident::new("3x").unwrap_err(),
            "`3x` is not a Verilog identifier ([A-Za-z_][A-Za-z0-9_$]*)"
        );
        assert!(Ident::new("").is_err() && Ident::new("a-b").is_err());
        assert_eq!(
            Ident::new("logic").unwrap_err(),
            "`logic` is a Verilog keyword"
        );
        assert!(Ident::new("endmodule").is_err() && Ident::new("Logic").is_ok());
        let words: Vec<&str> = KEYWORDS.split_whitespace().collect();
        assert!(
            words.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
    }

    #[test]
    #[should_panic(expected = "invalid HDL name: `wire` is a Verilog keyword")]
    fn builders_panic_on_keywords() {
        ident("wire");
    }
}
