"""Where each text of an SVG lands, as librsvg draws it: every <text> rendered alone (all else
hidden) onto a canvas 300 px larger on every side, its box the extent of the opaque pixels.
Prints, for each file, a text that leaves the canvas or overlaps another text; "ok" when none.
Usage: python3 svg_text_boxes.py FILE.svg…   (needs rsvg-convert and Pillow)"""
import copy, io, subprocess, sys
import xml.etree.ElementTree as ET
from PIL import Image

SVG = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG)
MARGIN = 300
problems = []
for path in sys.argv[1:]:
    root = ET.parse(path).getroot()
    width, height = float(root.get("width")), float(root.get("height"))
    count = sum(1 for e in root.iter() if e.tag == f"{{{SVG}}}text")
    boxes = []
    for k in range(count):
        alone = copy.deepcopy(root)
        texts = [e for e in alone.iter() if e.tag == f"{{{SVG}}}text"]
        for e in alone.iter():
            if e is not alone and e is not texts[k]:
                e.set("visibility", "hidden")
        texts[k].set("visibility", "visible")
        alone.set("width", str(width + 2 * MARGIN))
        alone.set("height", str(height + 2 * MARGIN))
        alone.set("viewBox", f"{-MARGIN} {-MARGIN} {width + 2 * MARGIN} {height + 2 * MARGIN}")
        png = subprocess.run(["rsvg-convert", "-f", "png"], input=ET.tostring(alone), capture_output=True, check=True).stdout
        box = Image.open(io.BytesIO(png)).getchannel("A").getbbox()
        if box is None:
            continue
        x0, y0, x1, y1 = (v - MARGIN for v in box)
        label = "".join(texts[k].itertext())
        if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
            problems.append(f"{path}: '{label}' at ({x0}, {y0})–({x1}, {y1}) leaves the {width:g} × {height:g} canvas")
        boxes.append((label, (x0, y0, x1, y1)))
    for i, (a, p) in enumerate(boxes):
        for b, q in boxes[i + 1:]:
            if min(p[2], q[2]) - max(p[0], q[0]) > 1 and min(p[3], q[3]) - max(p[1], q[1]) > 1:
                problems.append(f"{path}: '{a}' {p} overlaps '{b}' {q}")
print("\n".join(problems) or "ok")
