"""Names as linkage compares them: each token brought to one approximate phonetic key.

Names arrive in Khmer script or romanised, in either order, with transliteration variants
("Sophea", "Sopha", "សុភា"; "Long", "Lorng", "ឡុង"). Khmer script is transliterated to
Latin letters (as names are romanised), then aspiration marks and voicing are dropped, an r
or a final v that only marks a vowel is dropped, and vowel runs are reduced to two classes,
so that the variants of one name share most of their letter pairs. The keys never leave
memory: linkage/features.py keeps only keyed encodings of them.
"""

import functools
import re
import unicodedata

# Khmer consonants (U+1780-U+17A2) to Latin; the register (series) is dropped.
CONSONANT_LATIN = (
    "k kh k kh ng ch chh ch chh nh d th d th n t th t th n b ph p ph m y r l v s s s h l _"
)
CONSONANTS = dict(zip("កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវឝឞសហឡអ", CONSONANT_LATIN.split(), strict=True))
# As names are romanised: ឹ as in Kim, ំ as in Prum and Somnang, a final ៈ as in Vireak, ័
# as in Sophorn.
VOWEL_LATIN = (
    "a i ei e eu o ou uo aeu oea ie e ae ai ao ov om h ak e ei o ov rue rue lue lue e ai ao ao au o"
)
VOWELS = dict(zip("ាិីឹឺុូួើឿៀេែៃោៅំះៈឥឦឧឪឫឬឭឮឯឰឱឲឳ័", VOWEL_LATIN.split(), strict=True))
COENG = "\u17d2"
KHMER = re.compile(r"[\u1780-\u17ff]")
NOT_LETTER = re.compile(r"[^a-z ]+")
DIGRAPHS = [("chh", "c"), ("ch", "c"), ("kh", "k"), ("ph", "p"), ("th", "t"), ("nh", "n"),
            ("gn", "n")]  # fmt: skip
LETTERS = str.maketrans("bdgjqvxzfy", "ptkcuwssp_")
VOWEL_RUN = re.compile(r"[aeiou_]+")
# An r after a vowel that no vowel follows only marks the vowel (Lorng, Sophorn, Chear);
# a final v or w after a vowel is one (Khiev, Kaev, Pov).
MUTE_R = re.compile(r"(?<=[aeiou])r(?![aeiouy])")
FINAL_W = re.compile(r"(?<=[aeiou])w(?![aeiou])")


def transliterate(text: str) -> str:
    """Khmer script to Latin letters (approximate, for linkage keys only)."""
    out, chars = [], list(text)
    for i, char in enumerate(chars):
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        if char in CONSONANTS:
            after_coeng = i > 0 and chars[i - 1] == COENG
            if after_coeng and char == "រ" and nxt in ("", " "):
                continue  # a final subscript ro is silent: ពេជ្រ is "Pich"
            out.append(CONSONANTS[char].replace("_", ""))
            # an inherent vowel between two consonants, as romanisations write it
            if nxt in CONSONANTS and not after_coeng:
                out.append("a")
        elif char in VOWELS:
            out.append(VOWELS[char])
        elif char == " " or not KHMER.match(char):
            out.append(char)
    return "".join(out)


@functools.lru_cache(maxsize=200_000)
def _token_key(token: str) -> str:
    token = MUTE_R.sub("", token)
    for old, new in DIGRAPHS:
        token = token.replace(old, new)
    first, rest = token[:1], token[1:].replace("y", "i")
    token = FINAL_W.sub("u", (first + rest).translate(LETTERS).replace("h", ""))

    # Two classes: romanisations write the back vowels as a, o, u, ao or ou alike (Sophal
    # and Sophol, Mao and Mau), the front ones as i, e, ie or ei (Kim and Kem, Seng and Sieng).
    def vowel_class(match: re.Match) -> str:
        run = match.group(0)
        return "a" if ("a" in run or "o" in run or "u" in run) else "i"

    token = VOWEL_RUN.sub(vowel_class, token)
    return re.sub(r"(.)\1+", r"\1", token)


@functools.lru_cache(maxsize=200_000)
def name_keys(name: str) -> tuple[str, ...]:
    """Phonetic keys of a name's tokens, sorted (so the order of names does not matter)."""
    text = unicodedata.normalize("NFC", name)
    if KHMER.search(text):
        text = transliterate(text)
    text = text.lower()
    if not text.isascii():  # strip accents: é to e
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = NOT_LETTER.sub(" ", text)
    keys = [_token_key(token) for token in text.split()]
    return tuple(sorted(k for k in keys if k))


def bigrams(keys: tuple[str, ...]) -> set[str]:
    """Letter pairs of each padded token key."""
    return {f"_{k}_"[i : i + 2] for k in keys for i in range(len(k) + 1)}
