"""Reads the four views of gca_subtile in a generated folder with real readers and checks that
they agree: the GDS (gdstk), the LEF (KLayout's LEF reader), the Liberty file and the Verilog
blackbox (their pin lists). Usage: check_views.py FOLDER LAYERS.json, where LAYERS.json maps
each LEF layer name to its GDS [pin layer, pin datatype, label layer, label datatype] and gives
the boundary layer. Prints one line `views agree: ...` or every mismatch, exit status 1."""
import json
import re
import sys

import gdstk
import klayout.db as kdb

folder, layers_file = sys.argv[1], sys.argv[2]
prof = json.load(open(layers_file))
errors = []

# LEF, read by KLayout: the macro's outline, pin shapes (LAYER.PIN) and labels (LAYER.LABEL).
ly = kdb.Layout()
ly.read(f"{folder}/macros/gca_subtile.lef")
cell = ly.cell("gca_subtile")
outline = None
lef_pins = {}  # name -> (layer, (x0, y0, x1, y1)) in nm
boxes = {}
for li in ly.layer_indexes():
    name = ly.get_info(li).name
    for s in cell.shapes(li).each():
        if name == "OUTLINE":
            outline = s.box
        elif name.endswith(".PIN"):
            boxes.setdefault(name[:-4], []).append(s.box)
        elif name.endswith(".LABEL"):
            lef_pins[s.text.string] = (name[:-6], s.text.x, s.text.y)
dbu_nm = round(ly.dbu * 1000)
for pin, (layer, x, y) in list(lef_pins.items()):
    hit = [b for b in boxes.get(layer, []) if b.contains(kdb.Point(x, y))]
    if len(hit) != 1:
        errors.append(f"LEF pin {pin}: {len(hit)} shapes under its label on {layer}")
        continue
    b = hit[0]
    lef_pins[pin] = (layer, (b.left * dbu_nm, b.bottom * dbu_nm, b.right * dbu_nm, b.top * dbu_nm))
size = (outline.width() * dbu_nm, outline.height() * dbu_nm)
lef_text = open(f"{folder}/macros/gca_subtile.lef").read()
lef_dir = dict(re.findall(r"PIN (\S+)\n\s+DIRECTION (\w+)", lef_text))

# GDS, read by gdstk: one cell, its boundary, pin shapes and labels.
lib = gdstk.read_gds(f"{folder}/macros/gca_subtile.gds", unit=1e-9)
tops = lib.top_level()
if [c.name for c in tops] != ["gca_subtile"]:
    errors.append(f"GDS top cells {[c.name for c in tops]}, expected gca_subtile")
top = tops[0]
bl, bd = prof["boundary"]
bounds = [p for p in top.polygons if (p.layer, p.datatype) == (bl, bd)]
if len(bounds) != 1:
    errors.append(f"GDS: {len(bounds)} boundaries on {bl}/{bd}")
else:
    (x0, y0), (x1, y1) = bounds[0].bounding_box()
    if (round(x0), round(y0), round(x1 - x0), round(y1 - y0)) != (0, 0) + size:
        errors.append(f"GDS boundary {(x0, y0, x1, y1)} is not the LEF SIZE {size}")
    if not bounds[0].get_gds_property(1):
        errors.append("GDS boundary has no placeholder note (property 1)")
labels = {}
for lab in top.labels:
    labels.setdefault(lab.text, []).append((lab.layer, lab.texttype, lab.origin))
for pin, (layer, rect) in lef_pins.items():
    if layer not in prof["layers"]:
        errors.append(f"pin {pin}: LEF layer {layer} is not a layer of the profile")
        continue
    pl, pd, ll, ld = prof["layers"][layer]
    got = labels.get(pin, [])
    if [(l, t) for l, t, _ in got] != [(ll, ld)]:
        errors.append(f"pin {pin}: GDS labels {got}, expected one on {ll}/{ld}")
    shapes = [
        tuple(round(v) for v in (p.bounding_box()[0] + p.bounding_box()[1]))
        for p in top.polygons
        if (p.layer, p.datatype) == (pl, pd)
    ]
    if rect not in shapes:
        errors.append(f"pin {pin}: no GDS shape {rect} on {pl}/{pd} (the LEF's on {layer})")
extra = set(labels) - set(lef_pins)
if extra:
    errors.append(f"GDS labels without a LEF pin: {sorted(extra)}")

# Liberty: pins and buses with directions and widths, and the area.
lib_text = open(f"{folder}/macros/gca_subtile.lib").read()
types = {n: int(w) for n, w in re.findall(r"type \((\w+)\) \{[^}]*?bit_width : (\d+);", lib_text, re.S)}
lib_pins = {}
for kind, name, body in re.findall(r"\n\s+(pin|bus) \((\w+)\) \{(.*?direction : \w+;)", lib_text, re.S):
    d = re.search(r"direction : (\w+);", body).group(1)
    if kind == "bus":
        width = types[re.search(r"bus_type : (\w+);", body).group(1)]
        for i in range(width):
            lib_pins[f"{name}[{i}]"] = d
    else:
        lib_pins[name] = d
area = float(re.search(r"\n\s+area : ([0-9.]+);", lib_text).group(1))
if abs(area - size[0] * size[1] / 1e6) > 1e-3:
    errors.append(f"Liberty area {area} is not the LEF SIZE {size}")

# Verilog blackbox: every port, power pins (behind USE_POWER_PINS) included.
v_text = open(f"{folder}/models/gca_subtile_bb.v").read()
v_pins = {}
for d, msb, name in re.findall(r"^\s+(input|output|inout)\s+wire\s+(?:\[(\d+):0\])?\s*(\w+)", v_text, re.M):
    if msb:
        for i in range(int(msb) + 1):
            v_pins[f"{name}[{i}]"] = d
    else:
        v_pins[name] = d

lef_map = {"INPUT": "input", "OUTPUT": "output", "INOUT": "inout"}
for pin in sorted(set(v_pins) | set(lef_pins)):
    v, l = v_pins.get(pin), lef_map.get(lef_dir.get(pin, ""), None)
    if pin in ("V_OFF", "V_IN") and v == "inout" and l == "input":
        continue  # analog bias: an inout net in Verilog, an input pin of the abstract
    if v != l:
        errors.append(f"pin {pin}: Verilog {v}, LEF {l}")
for pin in sorted(set(v_pins) | set(lib_pins)):
    if pin in ("VDD", "VSS", "V_OFF", "V_IN"):
        continue  # supplies are not Liberty pins
    if v_pins.get(pin) != lib_pins.get(pin):
        errors.append(f"pin {pin}: Verilog {v_pins.get(pin)}, Liberty {lib_pins.get(pin)}")

if errors:
    print("\n".join(errors))
    sys.exit(1)
print(f"views agree: {len(lef_pins)} pins, {size[0]} x {size[1]} nm, layers {sorted({l for l, _ in lef_pins.values()})}")
