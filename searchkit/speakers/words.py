"""The word lists speaker attribution reads: titles, organisation words, places, speech verbs.

Each list is written as whitespace-separated text and looked up lower-cased (see `names.clean`)."""

from __future__ import annotations


def word_set(text: str) -> set[str]:
    """A word list written as whitespace-separated text."""
    return set(text.split())


HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "madam"}
TITLES = word_set(
    """
sen sens senator rep reps representative gov governor president vice pres secretary minister ministers premier
chancellor speaker leader chairman chairwoman chair chief director spokesman spokeswoman spokesperson judge
justice attorney general gen lt col sgt capt cpt maj adm cmdr prof professor rev reverend father pope king
queen prince princess sheikh ambassador mayor commissioner congressman congresswoman councilman councilwoman
deputy assistant acting former foreign finance defense defence interior justice state prime executive ceo cfo
coo founder editor anchor host nominee candidate hopeful democrat democratic republican gop independent
libertarian u.s u.s. us uk un eu white house senate congress federal national presidential manager adviser
advisor aide strategist analyst economist officer official head lawyer counsel correspondent columnist
reporter commentator officer trooper detective inspector superintendent chairs co-founder cofounder rabbi imam
cardinal bishop archbishop bros mrs mr ms dr sir st
exchequer staff trade treasury commerce labor labour agriculture energy health education transportation
transport housing economy economic environment security intelligence homeland veterans affairs development
undersecretary under-secretary commander admiral general colonel major captain lieutenant sergeant corporal
marshal chief-of-staff ceo chief-executive president-elect governor-elect premier-elect mp mep lawmaker
legislator delegate envoy consul attache emir king-designate crown pastor
"""
)
NATIONALITIES = word_set(
    """
afghan albanian algerian american angolan argentine argentinian armenian australian austrian azerbaijani
bahraini bangladeshi belarusian belgian bolivian bosnian brazilian british bulgarian burmese cambodian
cameroonian canadian chilean chinese colombian congolese croatian cuban cypriot czech danish dutch ecuadorean
ecuadorian egyptian emirati english eritrean estonian ethiopian european filipino finnish french georgian
german ghanaian greek guatemalan haitian honduran hungarian icelandic indian indonesian iranian iraqi irish
israeli italian ivorian jamaican japanese jordanian kazakh kenyan korean kosovar kurdish kuwaiti kyrgyz
laotian latvian lebanese liberian libyan lithuanian macedonian malaysian malian maltese mexican moldovan
mongolian montenegrin moroccan mozambican namibian nepali nepalese nicaraguan nigerian nigerien norwegian
omani pakistani palestinian panamanian paraguayan peruvian polish portuguese qatari romanian russian rwandan
salvadoran saudi scottish senegalese serbian singaporean slovak slovakian slovenian somali south-african
spanish sri-lankan sudanese swedish swiss syrian taiwanese tajik tanzanian thai tibetan tunisian turkish
turkmen ugandan ukrainian uruguayan uzbek venezuelan vietnamese welsh yemeni zambian zimbabwean soviet
alaskan arizonan arkansan californian coloradan floridian georgian hawaiian idahoan illinoisan indianan
iowan kansan kentuckian louisianan mainer marylander michigander minnesotan mississippian missourian
montanan nebraskan nevadan ohioan oklahoman oregonian pennsylvanian tennessean texan utahn vermonter
virginian washingtonian wisconsinite wyomingite bostonian londoner parisian muscovite new-yorker
arab asian african latino latina hispanic catholic protestant sunni shiite shia kurd
"""
)
LEADING = word_set(
    """
besides despite among amid amongst unlike including except beyond behind above below between within without
toward towards throughout across against along around beneath upon onto into via per plus minus versus
moreover furthermore nevertheless nonetheless indeed perhaps thus hence therefore otherwise likewise
meanwhile afterwards finally first second third lastly overall instead rather only just even both either
neither whether unless until once whereas whatever whoever whichever wherever whenever thanks following
speaking writing citing quoting noting adding asked asking told telling said saying says dear hello
congratulations welcome sorry please yes no ok okay oh
"""
)
EXTRA_ROLES = word_set(
    """
engineer expert pollster consultant activist teacher researcher scientist author writer historian owner
partner member worker resident voter student organizer organiser lobbyist diplomat envoy negotiator president
prosecutor investigator physician doctor nurse economist banker trader investor attorney officer manager
publisher producer director architect entrepreneur farmer pilot surgeon coach player striker captain
financier billionaire philanthropist tycoon magnate
"""
)
ORG_WORDS = word_set(
    """
post times news journal journalism press tribune herald daily network networks cnn fox abc cbs nbc msnbc reuters ap afp
campaign committee department ministry party house senate congress association institute university center
centre council agency service bureau office group inc corp co administration court foundation union
organization organisation commission poll report reports government police fbi cia gop dnc rnc team
republicans democrats state states city county board company magazine website today street reserve book bank
fund aid exchange market markets index wikileaks politico usa act bill law treasury analysts traders officials
investors economists experts leaders lawmakers voters critics supporters protesters residents sources workers
observers diplomats authorities prosecutors investigators researchers scientists members kremlin pentagon
twitter facebook google youtube instagram trust capital partners holdings group ltd llc plc airlines motors
systems technologies energy securities research media channel radio tv television club fed force forces army
navy marines guard federation institution caucus coalition alliance society project network association
associates council priorities pac super action fund majority amendment conference academy academies republic
school high college church airport hospital survey beach island islands valley district
square plaza avenue road notice museum library stadium arena hotel resort patriarchate
diocese temple mosque cathedral ratings
brothers partners associates industries laboratories labs resources services solutions investments ventures
enterprises communications pharmaceuticals foods stores works motors petroleum oil gas mining
airways railways telecom financial insurance assurance bancorp bancshares
accord agreement treaty pact protocol convention declaration initiative programme program plan
dems tories lib greens liberals nationals labour sinn fein
standard telegraph guardian observer independent mirror express mail gazette chronicle tribune inquirer
examiner bulletin monitor globe star courier dispatch sentinel register record telegram
hour show live tonight breakfast newsnight panorama weekly programme podcast bbc itv sky edition
"""
)
# Organisation and place words that are also given names: before a surname they open a name ("Bill Maher",
# "Christian Estrosi"), at the end of a run they are what they are ("the Farm Bill", "Christian Democrats").
GIVEN_NAME_WORDS = {"bill", "christian"}
NON_NAMES = word_set(
    """
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december america american americans korea mexico europe european york jersey
virginia carolina california texas florida washington moscow russia russian china chinese britain british
france french germany german israel israeli iran iraq syria ukraine japan india canada god christmas easter
islam muslim muslims christian christians jews jewish africa african asia asian north south east west new
united kingdom nations union tea twitter afghanistan pakistan saudi arabia egypt turkey brazil argentina
venezuela colombia peru chile cuba nigeria kenya indonesia australia zealand spain italy greece poland
netherlands dutch belgium sweden norway denmark ireland switzerland austria vietnam thailand philippines
singapore taiwan hong kong lebanon qatar emirates kuwait yemen libya morocco morning evening
"""
)
STOP_CAPS = word_set(
    """
the a an but and or so yet in on at for if when while as after before since though although because then this
that these those there here it its his her their our my your we they he she i you one some many most also even
still now meanwhile however instead later earlier last next both all every according asked told said says like
with without from by to of not no yes well why what how who where which i’ve i've i’m i'm i’ll i'll i’d i'd
"""
) | LEADING
NUMBER_WORDS = word_set("one two three four five six seven eight nine ten eleven twelve twenty hundred thousand")
# Words before a name that are not part of it, though a surname may be one ("Mark Cuban", "Tom Parker"):
# demonyms ("Californian Thomas Slattery"), numbers, role nouns ("Publisher Žaneta Horáková").
LEADING_NOT_NAMES = NATIONALITIES | NUMBER_WORDS | EXTRA_ROLES
NOT_NAME_WORDS = NON_NAMES | LEADING_NOT_NAMES
KNOWN_ACRONYMS = word_set("u.s u.k u.n e.u n.y d.c n.j l.a u.s.a u.a.e n.z s.a")  # places, not initials
ROLE_NOUNS = TITLES - {"former", "acting", "deputy", "assistant", "foreign", "finance", "defense", "defence",
                         "interior", "state", "prime", "executive", "national", "federal", "presidential",
                         "u.s", "u.s.", "us", "uk", "un", "eu", "white", "house", "senate", "congress", "vice",
                         "democratic", "republican", "gop", "independent", "libertarian", "mr", "mrs", "ms",
                         "dr", "sir", "st", "bros", "exchequer", "staff", "trade", "treasury", "commerce", "labor",
                         "labour", "agriculture", "energy", "health", "education", "transportation", "transport",
                         "housing", "economy", "economic", "environment", "security", "intelligence", "homeland",
                         "veterans", "affairs", "development", "crown"} | EXTRA_ROLES
SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
DETERMINERS = {"a", "an", "the", "his", "her", "their", "its", "another", "one", "our"}
SURNAME_TITLES = {"pope", "king", "major", "judge", "bishop", "prince", "cardinal", "may", "june", "april",
                   "august", "england", "israel", "washington", "french", "german", "young", "north", "west", "white"}
HYPHEN_TAILS = {"based", "era", "led", "born", "backed", "style", "owned", "run"}
PARTICLES = {"de", "van", "von", "der", "bin", "al", "da", "di", "del", "dos", "du", "la", "le"}
RIGHT_ONLY = {"according to"}

VERBS = word_set(
    """
plans planned expects expected fears feared feels felt worries worried doubts doubted agrees disagreed disagrees
intends intended recommended estimated estimates
said says say saying told tells telling wrote writes writing tweeted tweets tweeting added adds adding noted
notes noting stressed stresses warned warns warning argued argues arguing explained explains explaining
announced announces announcing insisted insists insisting acknowledged acknowledges asked asks asking
suggested suggests suggesting claimed claims claiming declared declares declaring replied replies responded
responds continued recalled recalls recalling conceded concedes admitted admits emphasized emphasised
emphasizes emphasises stated stating predicted predicts promised promises promising pledged vowed vows urged
urges agreed observed remarked commented joked complained complains countered cautioned contended contends
maintained maintains asserted asserts alleged accused accuses criticized criticised criticizes praised praises
blamed blames called calls calling described describes denied denies confirmed confirms revealed reveals
testified posted quipped mused boasted lamented laments reiterated reiterates recounted wondered wonders
echoed elaborated rejected dismissed defended defends proposed proposes questioned declined reported reports
endorsed endorses citing cited cites referring concluded concludes indicated indicates hopes hoped wants
wanted believes believed thinks thought knows attacked thanked mocked decried blasted slammed slams reminded
expressed repeated assured offered supported opposed refused sought condemned condemns denounced denounces
scolded likened lambasted bemoaned touted highlighted mentioned identified chided retorted shot pressed
demanded demands raged tweeted wrote
railed voiced scoffed snapped fumed grumbled muttered shouted yelled exclaimed whispered answered
answers lectured pleaded implored clarified hinted speculated opined interjected
"""
)

# Attribution verbs beyond the verbs of saying, by class. Each class was kept for its gain on PolNeAR train
# (notes: speakers3-report). Plural present forms ("argue", "believe") gained nothing once their subject had to be
# plural, so a lone name before them ("Workers complain") is never read as their speaker.
CRITICISM_VERBS = word_set(
    """
knocked savaged derided derides smeared smears ridiculed ridicules chastised rebuked mocking criticizing
attacking accusing blasting slamming denouncing attacks blasts
"""
)
STANCE_VERBS = word_set("backed backs supports opposes endorsing praising welcomed welcomes applauded hailed cheered")
EXPLAINING_VERBS = word_set("explaining pointed points pointing labeled labelled branded dubbed")
THREAT_VERBS = word_set("threatened threatens vowing pledging")
VERBS |= CRITICISM_VERBS | STANCE_VERBS | EXPLAINING_VERBS | THREAT_VERBS

INVERTIBLE = word_set(
    """
said says added adds wrote writes tweeted noted notes asked continued explained recalled argued replied
responded warned insisted stressed declared conceded admitted countered quipped joked observed remarked
commented announced acknowledged concluded cautioned suggested predicted claimed claims maintained
"""
)
ROLE_MODIFIERS = word_set(
    """
senior junior top chief former longtime veteran deputy associate assistant acting interim managing general
vice executive special principal lead leading head press campaign policy political economic financial foreign
domestic national international regional local state federal city county market investment portfolio
technical research legal military security intelligence global emerging equity equities bond bonds currency
credit oil commodities commodity strategy private public investor relations communications chief-executive
"""
)
ROLE_WORDS = TITLES | EXTRA_ROLES | ORG_WORDS | ROLE_MODIFIERS  # lower-case words a title phrase may hold
