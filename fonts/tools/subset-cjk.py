"""Makes the bundled Simplified Chinese fonts from Noto Sans CJK.

Source: Debian's fonts-noto-cjk (NotoSansCJK-{Regular,Bold}.ttc, version
2.004, SIL OFL 1.1). The "Noto Sans CJK SC" face is taken out of each
collection and subset to the GB 2312 character set (6,763 hanzi and its
symbols) plus CJK punctuation, full-width forms, general punctuation and
Latin, so that the binary stays small (about 4 MB a weight instead of 16).

Run with fontTools installed:
    python3 fonts/tools/subset-cjk.py /usr/share/fonts/opentype/noto fonts
"""
import sys
from fontTools.ttLib import TTCollection
from fontTools import subset


def gb2312():
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def extra():
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x214F),
              (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2E80, 0x2EFF)]
    return {c for lo, hi in ranges for c in range(lo, hi + 1)}


def main(src, dst):
    unicodes = sorted(gb2312() | extra())
    for weight in ("Regular", "Bold"):
        collection = TTCollection(f"{src}/NotoSansCJK-{weight}.ttc")
        face = next(f for f in collection.fonts
                    if f["name"].getDebugName(1) == "Noto Sans CJK SC")
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(face)
        face.save(f"{dst}/NotoSansCJKsc-{weight}-GB2312.otf")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
