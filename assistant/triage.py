"""Emergency triage, before any retrieval: a message describing an emergency gets the
fixed emergency notice whatever the documents say.

Rules, not a model. Each category is a handful of patterns for a *description* of
something happening now ("I took 30 of my sleeping pills", "dad dropped to the floor and
isn't moving"), in everyday words as well as clinical ones. Questions that only mention a
topic ("can you overdose on B12?", "muscle cramps at night", "fainting runs in my family")
and figures of speech ("my calves are killing me", "I'm dying to know") must not fire.

The patterns are built from small shared vocabularies (drugs, amounts, alcohol, people,
negated responses) so that a new wording of the same structure is caught, rather than one
pattern per example. tests/triage_examples.jsonl holds labelled positives and negatives;
tests/triage_check.jsonl is a check set written before these rules were tuned.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_I = r"(?:i|i'm|im|i am|i've|ive|i have|i just|my|me|he|she|they|he's|she's|my \w+)"

# --- shared vocabulary -------------------------------------------------------------

# Medicines people take too much of. Generic nouns plus common names of drugs that are
# dangerous in overdose (painkillers, sedatives, opioids, insulin, heart/BP drugs).
_DRUG = (
    r"(?:(?<!b12 )(?<!b-12 )(?<!vitamin )(?<!supplement )"
    r"(?:pills?|tablets?|tabs|capsules?|caps|meds|medicines?|medications?|drugs)|"
    r"painkillers?|pain killers|antidepressants?|sleeping (?:pills|tablets)|sleep aids?|"
    r"paracetamol|acetaminophen|tylenol|ibuprofen|advil|motrin|aspirin|naproxen|"
    r"xanax|valium|diazepam|lorazepam|ativan|klonopin|clonazepam|benzos?|"
    r"oxy\w*|percocets?|vicodin|hydrocodone|codeine|morphine|tramadol|fentanyl|heroin|"
    r"methadone|opioids?|opiates?|insulin|lithium|seroquel|quetiapine|ambien|zolpidem|"
    r"sertraline|zoloft|prozac|fluoxetine|citalopram|amitriptyline|gabapentin|"
    r"benadryl|antihistamines?|warfarin|digoxin|metformin|vitamins|iron)"
)
# A count of pills: two digits or more (not a dose, age, time or duration), or a number
# word of ten or more.
_COUNT = (
    r"(?:\d{2,}\b(?!\s*(?:mcg|ug|µg|mg|g|ml|iu|micrograms?|milligrams?|"
    r"years?|yrs?|y/?o|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|%|am|pm|o'?clock))|"
    r"ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|dozens?)"
)
# A dangerous amount: a count ("at 10", "around 10" are times), or a bulk word ("all my",
# "a whole pack", "a bunch of", "a load of", "too many", "the rest of").
_AMOUNT = (
    rf"(?:(?<!at )(?<!around ){_COUNT}|"
    r"all|every|everything|whole|entire|full|bunch|handful|load|loads|lots?|pile|heap|too many|"
    r"too much|"
    r"rest)"
)
# A whole container of pills ("a whole strip", "the whole box", "a full box").
_WHOLE_PACK = r"(?:whole|full|entire) (?:bottle|pack|box|strip|sheet|packet|blister)"
# A few words between the parts ("30 of my mom's sleeping pills"), but not across
# "with/and/at", which start a new thought ("took my B12 at 10 with my other pills").
def _gap(n: int) -> str:
    return rf"(?:\W+(?!(?:with|and|but|then|at|for|from)\b)[\w']+){{0,{n}}}?\W+"


# Past-tense intake: a description of what happened, not a question about dosing
# ("can you take too many…?" and "how many can I take?" stay quiet).
_TOOK = (  # "swalowed", "swollowed": misspelt in a hurry
    r"(?:took|taken|sw[ao]ll?owe?d|ate|eaten|downed|necked|popped|chugged|gulped|"
    r"mixed|got into)"
)
_ALCOHOL = (
    r"(?:alcohol|booze|wine|vodka|whiske?y|beer|beers|rum|gin|tequila|liquor|cider|"
    r"drinks|drunk|bourbon|brandy|spirits)"
)
# Household poisons a child (or anyone) may drink or eat.
_POISON = (
    r"(?:bleach|detergent|cleaner|cleaning \w+|dishwasher \w+|washing[- ]up liquid|"
    r"laundry (?:pod|pods|liquid)|antifreeze|weed ?killer|pesticide|rat poison|"
    r"button batter(?:y|ies)|batter(?:y|ies)|drain cleaner|petrol|gasoline|kerosene|"
    r"lamp oil|paint thinner|e-?liquid|vape juice|nicotine liquid)"
)
# "did not / won't / isn't" + a sign of being conscious.
_NO = r"(?:not|isn'?t|is not|wasn'?t|won'?t|wont|will not|doesn'?t|does not|didn'?t|stopped)"

# "no chest pain": the chest named only to rule it out, checked where it stands, as
# patterns that begin before it ("jaw … chest pain", in any order) escape ruled_out().
_NOT_RULED_OUT = r"(?<!no )(?<!not )(?<!without )(?<!any )"
_CHEST = rf"{_NOT_RULED_OUT}(?:chest|breastbone|sternum)"
_CHEST_FEELING = (
    rf"(?:\b{_CHEST}\b.{{0,80}}\b(?:tight\w*|squeez\w*|crush\w*|press\w*|heavy|heaviness|band|"
    r"pain\w*|hurt\w*|ach\w*|vice|weight)\b|\b(?:tight\w*|squeez\w*|crush\w*|press\w*|heavy|"
    rf"heaviness|band|pain\w*|ach\w*)\b.{{0,40}}\b{_CHEST}\b)"
)
_CARDIAC_COMPANY = (
    r"\b(?:sweat\w*|clammy|cold and wet|wet with sweat|jaw|left arm|arms? (?:has |have |is |are |'s )?"
    r"(?:gone|going|went) (?:dead|numb|heavy|weak)|(?:going to|gonna|about to) (?:be sick|throw up|"
    r"pass out|faint)|faint|dizzy|light-?headed|grey|gray)\b"
)

CATEGORIES: dict[str, tuple[str, ...]] = {
    "heart": (
        # "heart attack risk / signs": a topic, not an event (general questions are
        # caught by _ABOUT_TOPIC; this only skips the noun phrases)
        r"(?<!died of a )(?<!died from a )(?<!gave me a )(?<!give me a )(?<!giving me a )"
        r"\bheart attack(?!\s+(?:risks?|prevention|signs?|symptoms?|"
        r"feels? like|looks? like)\b)(?!.{0,25}\b(?:years?|months?) ago\b)",
        r"\bheart (?:has )?stopped\b|\bcardiac arrest\b",
        # The chest described as crushed, squeezed or weighed down, in any words.
        r"\b(?:crushing|severe|sudden|tight|heavy|squeezing)\b.{0,30}\bchest\b",
        r"\bchest\b.{0,25}\b(?:squeez\w*|crush\w*|in a vi[cs]e|band around|"
        r"elephant|weight on)",
        r"\b(?:elephant|weight|someone|something)\b.{0,15}\b(?:sitting|sat|sits|standing|stood|"
        r"pressing|pressed) on "
        r"(?:my|his|her) chest\b",
        # "feels like / there's an elephant on his chest": the idiom without its verb.
        r"\b(?:like|there'?s|there is) an elephant on (?:my|his|her|their) chest\b",
        # Someone clutching their chest is the classic picture.
        r"\b(?:clutch|grabb?|hold|press)\w* (?:at |onto )?(?:my|his|her|their) chest\b",
        # Chest pain + the company it keeps (arm, jaw, sweating, grey, sick, breathless).
        r"\bchest (?:pain|pressure|tightness|hurts?|hurting|aches?|aching|is (?:hurting|killing))\b"
        r".{0,60}\b(?:arm|jaw|neck|sweat\w*|drenched|clammy|grey|gray|pale|sick|"
        r"throwing up|vomit\w*|breath|dizzy|faint|now|right now|spreading|radiat\w*)\b",
        r"\b(?:arm|jaw|sweat\w*|drenched|clammy)\b.{0,60}"
        rf"{_NOT_RULED_OUT}\bchest (?:pain|pressure|hurts?)\b",
        r"\b(?:pain|pressure|tightness) (?:in|across) (?:my|his|her) chest\b.{0,60}"
        r"\b(?:arm|jaw|neck|sweat\w*|clammy|grey|gray|sick|vomit\w*|breath|won'?t go away)\b",
        r"\b(?:having|have|got)\b.{0,15}\bchest (?:pain|pressure|tightness)\b",
        # A pressing chest with the company it keeps, in any order and any words: "feels
        # like a band squeezing tighter … my left arm has gone numb", "pain in my jaw and
        # left arm with a tightness across my chest".
        rf"^(?=.*{_CHEST_FEELING})(?=.*{_CARDIAC_COMPANY})",
    ),
    "stroke": (
        r"\b(?:having|is having|might be having|think .{0,20}) a stroke\b",
        r"\b(?:had|has had) a stroke (?:just now|today|tonight|this morning|minutes? ago)",
        # Face: drooping, crooked, lopsided, or numb/dropped on one side.
        r"\b(?:face|mouth|smile|lip)\b.{0,20}\b(?:droop\w*|drooped|crooked|lopsided|"
        r"uneven|numb on one side|dropp?ed|sagg\w*|twisted|hanging down)\b",
        r"\b(?:half|one side of|side of) (?:my|his|her|their|the) (?:face|mouth)\b"
        r".{0,20}\b(?:numb|droop\w*|dropp?ed|went|gone|is|weak|funny|dead|heavy)\b",
        # One whole side weak: "my left arm and leg have gone weak".
        r"\b(?:left|right) (?:arm and leg|leg and arm|side of (?:my|his|her) body)\b.{0,30}"
        r"\b(?:weak|numb|dead|limp|heavy|floppy|paraly[sz]\w*)\b",
        r"\b(?:suddenly |just )?(?:lost|losing|gone blind in|can'?t see (?:out of|with)) "
        r"(?:the |all )?(?:sight|vision)? ?(?:in |of )?(?:one|my left|my right|his|her) eye\b",
        r"\bcan'?t (?:smile|move (?:his|her|my) (?:mouth|face))\b.{0,20}\bone side\b",
        # Speech suddenly wrong: slurred, jumbled, garbled, nonsense.
        r"\bslurr(?:ed|ing|y) (?:speech|words)\b|\b(?:speech|talking|words)\b.{0,20}\bslurr\w*",
        r"\b(?:words?|speech|talking)\b.{0,25}\b(?:jumbled|garbled|muddled|all wrong|"
        r"coming out wrong|came out wrong|coming out funny|nonsense|gibberish)\b",
        r"\btalking (?:nonsense|gibberish)\b",
        r"\bcan'?t (?:speak|talk) (?:properly|suddenly)\b|\bcan'?t get (?:his|her|my) words out\b",
        r"\b(?:can'?t|cannot) say (?:his|her|my|their) words (?:right|properly)\b",
        # Sudden one-sided weakness, numbness or loss of vision.
        r"\bsudden(?:ly)?\b.{0,40}\b(?:can'?t|cannot|unable to|couldn'?t) "
        r"(?:move|feel|speak|talk|see|lift|raise)\b",
        r"\b(?:all of a sudden|out of nowhere)\b.{0,40}\b(?:can'?t|cannot|couldn'?t) "
        r"(?:move|feel|speak|talk|see|lift|raise)\b",
        r"\b(?:can'?t|cannot|unable to) (?:move|feel|lift|raise) (?:my |his |her )?"
        r"(?:left|right|one)\b",
        r"\bsudden(?:ly)?\b.{0,30}\b(?:numb|weak|paralys|paralyz)\w*\b.{0,30}"
        r"\b(?:one side|left|right|face)\b",
        r"\b(?:sudden(?:ly)?|all of a sudden)\b.{0,30}\b(?:one side|left side|right side|"
        r"left (?:arm|leg|hand)|right (?:arm|leg|hand))\b.{0,20}\b(?:numb|weak|paraly[sz]|"
        r"limp|dead|heavy|floppy)\w*",
        r"\b(?:arm|hand|leg)s? (?:keeps? (?:dropping|falling)|went (?:limp|floppy))\b",
        r"\bworst headache of my life\b",
    ),
    "breathing": (
        # Any negated or struggling breath: can't / barely / not / struggling to breathe.
        r"\b(?:can'?t|cannot|can not|couldn'?t|unable to|struggling to|struggle to|"
        r"hard to|fighting to|barely|hardly|not|isn'?t|stopped) (?:\w+ )?breath(?:e|ing)\b"
        r"(?! (?:through|out of|in through) (?:my|his|her|the|their) nose)",
        r"\b(?:trouble|difficulty) breathing\b",
        # Air: can't get air, gasping for air.
        r"\b(?:can'?t|cannot|couldn'?t|barely|hardly|not|struggling to|struggle to|fighting to) "
        r"(?:\w+ ){0,2}(?:get|getting|catch|catching) (?:any |enough |my |a )?(?:air|breath)\b",
        r"\bgasping\b(?! for (?:a |some )?(?:drink|water|brew|cuppa|coffee|tea|pint|fag|smoke))|"
        r"\bgasp(?:ed|s)? for (?:air|breath)\b",
        r"\bwheez\w*\b.{0,40}\b(?:can'?t|cannot|barely|so bad|badly|not helping|"
        r"isn'?t helping|won'?t stop)\b",
        r"\bcan'?t (?:finish|say|speak in|talk in) (?:a |full )?sentences?\b",
        # A reaction to something eaten or a sting, closing the throat.
        r"^(?=.*\b(?:can'?t|cannot|unable to|struggling to) swallow\b)"
        r"(?=.*\b(?:nuts?|peanuts?|allerg\w*|sting|stung|bee|wasp|shellfish|reaction|hoarse)\b)",
        r"\b(?:tongue|lips?|throat|face)\b.{0,20}\b(?:gone|going|is|are|has|have|got) "
        r"(?:huge|massive|enormous|fat|puffy)\b",
        # Allergic swelling of the airway, face or lips.
        r"\bthroat\b.{0,25}\b(?:swell|swelling|swollen|closing|tight)\w*",
        r"\b(?:tongue|lips?)\b.{0,20}\b(?:swelling up|swelled up|closing)\b",
        r"\b(?:tongue|lips?) (?:and (?:tongue|lips?) )?(?:is |are )?(?:swelling|swollen)\b",
        r"\b(?:swelling|swollen|swells?)\b.{0,25}\b(?:throat|tongue|lips?|face)\b",
        r"\b(?:face|tongue|lips?|throat)\b.{0,20}\b(?:puffing up|puffed up|blew up|"
        r"blowing up|ballooned|ballooning)\b",
        r"\banaphyla\w*",
        # Colour: blue or grey lips or face.
        r"\b(?:choking|not breathing|stopped breathing|turning blue)\b",
        r"\blips?\b (?:are |is |look |looks |have |has )?(?:going |turning |gone |turned |"
        r"really |very |so )?(?:blue|grey|gray|purple)\b",
        r"\b(?:face|skin)\b (?:is |has )?(?:going|turning|gone|turned) (?:blue|grey|gray|purple)\b",
    ),
    "overdose": (
        # "OD'd", "ODed", "O.D.": never the word "odd" (matched case-blind).
        r"\boverdos(?:ed|ing)\b|\bO\.D\.|\bOD'e?d\b|\bODed\b",
        # A dangerous amount of medicine taken: "took like 30 of my moms sleeping pills",
        # "swallowed all my antidepressants", "ate a bunch of my blood pressure pills".
        # Long-term use ("took a lot of pills for years") is history, not an overdose.
        rf"\b{_TOOK}{_gap(5)}{_AMOUNT}{_gap(5)}{_DRUG}\b"
        r"(?!.{0,20}\b(?:for (?:years|months|weeks|ages)|every day|each day|daily|a day|per day)\b)",
        # A mixture: "swallowed all my b12 tablets and about 20 of my mum's sleeping pills",
        # "… and the whole box of my mum's sleeping pills".
        # Only a count or a bulk word ("a load of his heart pills") counts here: "took my b12
        # and all my other meds" is a routine.
        rf"\b{_TOOK}\b.{{0,60}}\b(?:and|plus) (?:then )?(?:about |around |like |roughly |maybe |at least )?"
        rf"(?:{_COUNT}|a handful|a bunch|loads|a load|(?:a|the) {_WHOLE_PACK})"
        rf"{_gap(5)}{_DRUG}\b",
        # A counted amount, then all of another medicine: "about 20 of her b12 tablets
        # together with all her blood pressure pills", "… and then the rest of my mums
        # sleeping pills".
        rf"\b{_TOOK}\b.{{0,20}}\b{_COUNT}\b.{{0,60}}\b(?:and|plus|with) (?:then )?(?:all|the rest) "
        rf"(?:of )?(?:his|her|my|their|the)\b{_gap(5)}{_DRUG}\b",
        r"\bempty (?:pill |tablet |medicine )?(?:bottles?|packs?|packets?|boxes|box|blister)\b",
        rf"\b{_TOOK}\b.{{0,25}}\b(?:too many(?!\W+(?:[\w']+\W+)?(?:b-?12|vitamin|gummies|supplement))|"
        rf"handful|{_WHOLE_PACK}|bottle of)\b",
        # "way more of my sleeping pills than I should have"
        rf"\b{_TOOK}\b.{{0,15}}\b(?:way|far|much|a lot|loads) more\b.{{0,30}}\b{_DRUG}\b"
        r".{0,20}\bthan (?:i|he|she|they|you) (?:should|was|were|'m|am|is|are)\b",
        # A small child who ate or swallowed any medicine or poison.
        rf"\b(?:toddler|baby|kid|child|little (?:one|boy|girl)|\d+ ?(?:year|yr|month)s?[- ]old|"
        rf"son|daughter)\b.{{0,40}}\b(?:ate|eaten|swallowed|got into|chewed)\b.{{0,40}}\b{_DRUG}\b",
        # "most of a packet of my nan's blood pressure pills"
        rf"\b{_TOOK}\b.{{0,60}}\b(?:most|half|all|rest) of (?:a|the|my|his|her|their) "
        r"(?:packets?|packs?|box(?:es)?|bottles?|strips?|tubs?|blisters?|sheets?)\b"
        rf".{{0,40}}\b{_DRUG}\b",
        # Strong medicines doubled up, and now feeling it.
        rf"\b{_TOOK}\b.{{0,40}}\b{_DRUG}\b.{{0,30}}\b(?:twice|double|two lots|both lots)\b.{{0,80}}"
        r"\b(?:woozy|drowsy|groggy|dizzy|faint|can'?t stay awake|confused|(?:heart|pulse) (?:is |'s )?"
        r"(?:really |very )?(?:going funny|racing|pounding|slow|skipping|weak|all over))",
        rf"\b{_TOOK}\b.{{0,20}}\b(?:double|twice|two lots of)\b.{{0,30}}\b{_DRUG}\b.{{0,80}}"
        r"\b(?:woozy|drowsy|groggy|dizzy|faint|hard to wake|can'?t stay awake|confused)\b",
        # Paracetamol above the dose, taken for days, is a slow overdose.
        r"\b(?:[4-9]|\d{2,}|four|five|six|seven|eight|nine|ten) (?:\w+ )?(?:paracetamol|acetaminophen|"
        r"tylenol|co-?codamol)\w*\b.{0,20}\b(?:at a time|at once|in one go|every (?:hour|two hours))",
        # Medicine mixed with alcohol, either way round.
        rf"\b{_TOOK}\b.{{0,100}}\b{_DRUG}\b.{{0,40}}\b{_ALCOHOL}\b",
        rf"\b(?:drank|drunk|downed|had)\b.{{0,40}}\b{_ALCOHOL}\b.{{0,40}}\b{_TOOK}\b"
        rf".{{0,30}}\b{_DRUG}\b",
        # Extra insulin or opioid is dangerous even in small multiples.
        r"\b(?:double|triple|twice|too much|extra)\b.{0,20}\b(?:insulin|morphine|"
        r"fentanyl|methadone|oxy\w*)\b",
        # Household poisons drunk or eaten.
        rf"\b(?:drank|drunk|swallowed|ate|eaten|got into|ingested|chewed|licked)\b"
        rf".{{0,30}}\b{_POISON}",
        # "Have I poisoned myself?" or "am I gonna be poisoned?" after a double vitamin is a
        # worry, not a poisoning.
        r"(?<!food )(?<!have i )(?<!did i )(?<!could i )(?<!can i )(?<!\bbe )\bpoison(?:ed|ing)\b",
    ),
    "self_harm": (
        r"\bkill(?:ing)? myself\b|\bend (?:my|it) (?:life|all)\b|\bend it all\b",
        # Someone else about to: "my friend says she's going to kill herself".
        r"\b(?:going to|gonna|wants? to|trying to|tried to|threatening to|will|'ll) "
        r"(?:kill|hurt|harm) (?:himself|herself|themselves|themself)\b",
        # "Not suicidal or anything, just tired": said to rule it out.
        r"(?<!not )(?<!no )(?<!never )(?<!never been )\bsuicid\w*",
        # "I don't want to die, I just want a break" and "going to die of boredom" are not.
        r"(?<!don't )(?<!dont )(?<!not )\b(?:want|wanna|plan|planning|going) to die\b(?! of\b)|"
        r"\bdon'?t want to (?:live|be alive)\b",
        # Not wanting to exist, in indirect words.
        r"\b(?:don'?t|do not|dont) want to (?:be here|exist|be around|wake up|go on)\b",
        r"\b(?:rather|wish i could|want to|hope i|hoping i)\b.{0,15}\b(?:not|never|don'?t) "
        r"wake up\b",
        r"\b(?:sleep|disappear\w*|go away|went away|be gone)\b (?:forever|for good|permanently)\b",
        r"\b(?:everyone|everybody|they|my family)\b.{0,25}\b(?:fine|better|happier)\b"
        r".{0,10}\bif i\b",
        r"\bwant (?:it|it all|everything|all this|this) to (?:stop|end) (?:for good|forever)\b",
        r"\bcan'?t go on\b|\bno (?:point|reason) (?:in )?(?:living|going on|being alive|to live)\b",
        # "Better without me", "nobody would notice if I was gone".
        r"\bbetter off dead\b|\bno reason to live\b",
        # Feeling a burden, and about to stop being one.
        r"\b(?:stop|quit) being a burden\b|\bwon'?t be (?:a burden|a problem)\b.{0,20}"
        r"\bmuch longer\b",
        r"\b(?:better|happier|easier)\b(?: off)? without me\b",
        r"\b(?:nobody|no one|no-one|noone)\b.{0,20}\b(?:notice|care|miss me)\b.{0,20}"
        r"\bif i\b",
        r"\bif i (?:was|were|am|'m) (?:gone|dead|not here|not around)\b",
        r"\bcheck(?:ing)? out (?:of (?:this|the) (?:life|world)|for good)\b",
        # Ending things; a plan, means or goodbyes in place.
        r"\b(?:end|ending) (?:things|everything)\b",
        r"\b(?:going to|gonna|want to|wanna|i'll|i will|to|i) end it\b(?! (?:with|between))",
        # Warning signs: belongings given away, locked in with the means, a last message.
        r"\bgiv(?:ing|en|e|es) away (?:all )?(?:my|his|her|their) "
        r"(?:things|stuff|belongings|possessions)\b",
        r"\blocked (?:himself|herself|themselves|myself) in\b.{0,40}\b(?:pills|tablets|meds|knife|"
        r"razor|gun|rope)\b",
        r"\b(?:drive|drove|driving|jump|jumping|walk|walking|step|stepping) off (?:a|the) "
        r"(?:bridge|cliff|roof|building|multi-?storey)\b",
        r"\bsorry for everything\b.{0,80}\b(?:not|isn'?t|won'?t) (?:answering|picking up|replying)\b",
        r"\bthis is it\b.{0,40}\b(?:thanks? for everything|goodbye|bye|love you)\b",
        r"\b(?:goodbye|suicide) (?:letters?|notes?|messages?)\b|\bsaid my goodbyes\b",
        r"\b(?:letter|note|message|text) (?:saying|that says|that said)\b.{0,30}\bgoodbye\b",
        r"\b(?:written|wrote|writing|write|sent|sending) (?:out )?(?:all )?my goodbyes\b",
        r"\b(?:written|wrote|writing|left) (?:letters|notes|a (?:letter|note)) (?:to|for) "
        r"(?:(?:each|all|every one) of )?(?:(?:my|the) (?:kids|children|"
        r"family|wife|husband|partner|son|daughter|parents|mum|mom|dad|grandkids)|everyone|"
        r"everybody)\b.{0,80}"
        r"\b(?:tablets|pills|meds|rope|gun|knife|won'?t (?:be|need)|goodbye|for good|any ?more|"
        r"burden|after tonight|(?:none of this|nothing) (?:will )?matters?)\b",
        r"\b(?:put|got|gathered|collected|lined up|counted out|laid out|saved|hidden|hid)\b.{0,10}"
        r"\b(?:all )?(?:my|the|his|her) (?:tablets|pills|meds|medication|medicines)\b.{0,15}"
        r"\b(?:together|in one place|ready|lined up|in a pile)\b",
        r"\b(?:have|got|get) the (?:pills|tablets|rope|gun|knife|blade)s? ready\b",
        r"\b(?:(?:saved|saving) up|stockpil\w*|hoard\w*)\b.{0,20}\b(?:pills|tablets|meds)\b",
        r"\b(?:going to|gonna|thinking (?:of|about)|want to|wanna|plan(?:ning)? to)\b"
        r".{0,10}\b(?:take|taking|swallow\w*)\b.{0,10}\b(?:all|whole|every|everything (?:in|from) "
        r"the (?:cupboard|cabinet|drawer|bathroom|medicine))\b",
        r"\b(?:jump(?:ing)? off|in front of a (?:train|bus|car|lorry|truck)|hang(?:ing)? myself|"
        r"slit(?:ting)? my wrists?)\b",
        # "cut myself shaving", "hurt myself at the gym": an accident, not self-harm; "not
        # thinking of hurting myself" rules it out.
        r"(?<!no thoughts of )(?<!no thought of )(?<!not thinking of )(?<!not thinking about )"
        r"\b(?:hurt|harm|cutt?)(?:ing)? myself\b"
        r"(?! (?:shaving|cooking|chopping|gardening|lifting|playing|running|while|when|"
        r"on (?:a|the|some)|at (?:the|work)|by accident|accidentally))|"
        # "No signs of self harm": named to rule it out.
        r"(?<!no signs of )(?<!no sign of )(?<!no history of )(?<!no )(?<!not )(?<!never )"
        r"\bself[- ]harm\w*",
        r"\b(?:burning|hitting|punching|scratching|starving) myself\b|"
        r"\b(?:i|to) (?:burn|punch|starve) myself\b",
    ),
    "bleeding": (
        r"\bbleeding\b.{0,30}\b(?:won'?t stop|will not stop|not stopping|doesn'?t stop|"
        r"isn'?t stopping|heavily|a lot|badly|so much|everywhere)\b",
        r"\b(?:can'?t|cannot|couldn'?t) (?:stop|slow) (?:the |this |his |her |my )?bleed\w*",
        r"\b(?:severe|heavy|uncontrolled|massive) bleeding\b",
        r"\b(?:coughing|vomiting|throwing|spitting|puking)(?: up)? (?:\w+ of )?blood\b",
        # Blood lost steadily, and the person weak or faint with it.
        r"^(?=.*\bblood\b)(?=.*\b(?:dizzy|faint\w*|light-?headed|weak|pale|clammy)\b)"
        r"(?=.*\b(?:lots of|loads of|so much|a lot of|mouthfuls?|keeps? (?:coming|filling)|"
        r"won'?t stop|for hours|passing))",
        r"\b(?:towels?|bandages?|cloths?|dressings?|t-?shirt|shirt|sheets?) (?:is |are |has |have )?"
        r"(?:soaked|soaking|drenched)\b",
        r"\b(?:it'?s|its|it is|blood is|blood's) (?:gushing|pouring|spurting|squirting|pumping)\b",
        r"\b(?:losing|lost) (?:a lot of|so much) blood\b",
        # Blood described as a flow that won't stop.
        r"\bblood\b.{0,20}\b(?:pouring|gushing|spurting|squirting|pumping|streaming|everywhere|"
        r"soaking|soaked|won'?t stop|pooling)\b",
        r"\b(?:soaked|soaking) (?:through|right through)\b.{0,20}\b(?:towels?|bandages?|"
        r"cloths?|dressings?|shirt|t-shirt)\b",
        r"\b(?:so much|loads of|a pool of) blood\b",
        # A bleed of any kind that gushes or will not stop ("nosebleed … it's gushing").
        r"\b(?:nose ?bleed|bleed)\w*\b.{0,40}\b(?:gushing|pouring|spurting|won'?t stop|"
        r"not stopping|for (?:over )?an hour|for hours)\b",
        r"\b(?:pouring|gushing|spurting|pumping|streaming|pissing) (?:out )?blood\b",
    ),
    "unconscious": (
        # "nearly fainted", "almost passed out" are not a collapse.
        # "nearly fainted", "fainted as a child": not a collapse now.
        r"(?<!nearly )(?<!almost )\b(?:passed out|fainted|collapsed|blacked out|"
        r"keeled over|out cold|went limp)\b(?! (?:as a (?:child|kid|teen\w*)|when (?:i|he|she) was|"
        r"years ago|in the past|once|a few times|several times|before)\b)",
        r"\bdropped (?:to the (?:floor|ground)|like a stone)\b|\bslumped (?:over|on|in)\b",
        r"\b(?:unconscious|unresponsive|won'?t wake (?:up|properly)|"
        r"(?:hard|difficult|impossible) to wake|can'?t rouse|can'?t wake (?:him|her|them)|"
        r"can'?t keep (?:him|her|them) awake)\b",
        # Only a sound back when shouted at or shaken: "he only groans when i shout".
        r"\b(?:only|just) (?:groans|moans|grunts|mumbles) when (?:i|we|you|they) "
        r"(?:shout|yell|call|shake|say)",
        r"\bknocked (?:out|unconscious)\b|\bkeeps? (?:drifting off|passing out|blacking out)\b",
        # Not responding / not moving / eyes closed.
        rf"\b{_NO} (?:responding|respond)\b(?! to (?!me\b|us\b|(?:my |his |her |our )?"
        rf"(?:voice|name|touch|anything|anyone)))",
        rf"\b{_NO} moving\b(?! (?:as |very |so )?(?:well|properly|much|right|easily|fast|normally))",
        rf"\b{_NO} (?:waking up|wake up|opening (?:his|her|their) eyes|coming round|"
        rf"come round|coming to)\b",
        rf"\b{_NO} answering (?:me|us|when)\b|\b{_NO} answer (?:me|us|when)\b",
        r"\bcan'?t get (?:him|her|them) to (?:respond|wake|come round|come to|open)\b",
        r"\b(?:having|had|is having) a (?:seizure|fit)\b|\bseizing\b(?! up)|\bconvuls\w*|"
        r"\beyes (?:rolled|rolling) back\b|\b(?:is|he's|she's|keeps?|started) fitting\b",
        # A seizure that will not stop or has lasted minutes (over five is an emergency).
        r"\b(?:fitting|seizing|convulsing|having a (?:seizure|fit))\b.{0,30}\b(?:won'?t stop|"
        r"not stop(?:ping)?|still going|for (?:over |about |nearly )?(?:\d+|five|ten|several) "
        r"min\w*)",
        r"\b(?:shaking|jerking|twitching|stiff)\b.{0,20}\bon the (?:floor|ground)\b",
        r"\bon the (?:floor|ground)\b.{0,20}\b(?:shaking|jerking|fitting|seizing)\b",
        r"\bfoaming at the mouth\b",
    ),
}

# "Can you overdose…?", "signs of a stroke", "What is (are) Cardiac Arrest?": questions
# about a topic, not a description.
_ABOUT_TOPIC = re.compile(
    r"^\s*(?:what|who|how|is|are|can|could|does|do|should|why|which|when)\b.{0,40}\b"
    r"(?:risk|possible|signs?|symptoms?|cause|causes|mean|prevent|common|likely|dangerous|"
    r"treat\w*|outlook|diagnos\w*|tests?|difference)\b|^\s*what (?:is|are) \(are\)",
    re.IGNORECASE)
# An event told as past and over ("my mum overdosed years ago and is well now"), with
# nothing that says it is happening again now.
_PAST = re.compile(
    r"\b(?:(?:years?|yrs?) ago|last (?:year|month|summer|winter|spring|autumn)|"
    r"as a (?:teen\w*|child|kid)|when (?:i|he|she|they) (?:was|were) "
    r"(?:\d+|young|little|a teen\w*)|in the past|used to|"
    r"in (?:19|20)\d\d|in the '?\d0s|decades? ago|(?:\d+|a few|several) months ago)\b",
    re.IGNORECASE)
# "What should I do if someone collapses?", "first aid for bleeding": asking ahead, for
# someone hypothetical; an emergency says so ("my friend just took 30") and is judged.
_HYPOTHETICAL = re.compile(r"\b(?:if (?:someone|somebody|a person|anyone)|first aid)\b",
                           re.IGNORECASE)
_NOW = re.compile(
    # "came back to normal" is over, "it's back" is now.
    r"\b(?:right now|just now|tonight|at the moment|currently|again|back(?! to normal)|"
    r"this feels|keeps?|won'?t|can'?t|isn'?t|suddenly|this (?:morning|afternoon|evening)|"
    r"today|minutes? ago|an hour ago|hours ago|just|now (?:he|she|they|i|"
    r"it)\b(?!'?s? (?:fine|well|ok|okay|doing))|"
    # Signs told in the present ("he had a stent 2 yrs ago … he's clammy, clutching his
    # chest"): the past marker belongs to another event.
    r"(?<!was )(?<!were )clutching|(?:he|she|they|i)(?:'s|'re|'m| is| are| am) "
    r"(?:all )?(?:clammy|sweaty|grey|gray|turning blue|unresponsive|slurring|gasping)\b)",
    re.IGNORECASE)
_FIRST_PERSON = re.compile(rf"\b{_I}\b", re.IGNORECASE)
_COMPILED = {name: tuple(re.compile(p, re.IGNORECASE) for p in patterns)
             for name, patterns in CATEGORIES.items()}
# Where a clause ends: a negation reaches no further ("no pain, my arm is numb").
CLAUSE_END = re.compile(r"[.,;!?]")
_RULING_OUT = re.compile(r"\b(?:no|not|never|without|haven'?t|hasn'?t|nor)\b", re.IGNORECASE)
_NEGATED_SIGN = re.compile(r"(?:can'?t|cannot|not|won'?t|wont|isn'?t|unable|no)\b",
                           re.IGNORECASE)
# Self-harm is always taken seriously, even phrased as a question.
ALWAYS = {"self_harm"}


@dataclass(frozen=True)
class Triage:
    category: str | None

    @property
    def emergency(self) -> bool:
        return self.category is not None


def _normal(message: str) -> str:
    return " ".join(message.replace("’", "'").split())


def topic_question(message: str) -> bool:
    """A question about a topic that names no one ("can you overdose on B12?", "What is
    (are) Heart Attack?") or asked ahead for someone hypothetical: it describes no
    emergency, unless it hints at self-harm."""
    text = _normal(message)
    return ((bool(_ABOUT_TOPIC.search(text)) and not _FIRST_PERSON.search(text))
            or (bool(_HYPOTHETICAL.search(text)) and not _NOW.search(text)))


def past_event(message: str) -> bool:
    """Told as over and done ("I passed out at a concert last year"), nothing happening now."""
    text = _normal(message)
    return bool(_PAST.search(text)) and not _NOW.search(text)


def ruled_out(text: str, match: re.Match) -> bool:
    """The sign is named only to rule it out ("no chest pain, no slurred speech, just
    tired", "I haven't fainted"): a negation among the three words before it, in its
    clause. A negated sign ("can't breathe") is itself the sign."""
    if _NEGATED_SIGN.match(match.group(0)):
        return False
    clause = CLAUSE_END.split(text[max(0, match.start() - 40):match.start()])[-1]
    return bool(_RULING_OUT.search(" ".join(clause.split()[-3:])))


def triage(message: str) -> Triage:
    text = _normal(message)
    if past_event(text):
        return Triage(None)
    general_question = topic_question(text)
    for name, patterns in _COMPILED.items():
        if general_question and name not in ALWAYS:
            continue
        # Self-harm is never ruled out by a negation ("I haven't hurt myself in weeks but
        # the urges are back").
        if any(name in ALWAYS or not ruled_out(text, m)
               for p in patterns for m in p.finditer(text)):
            return Triage(name)
    return Triage(None)
