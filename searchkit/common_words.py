"""The words a new index pairs (`terms.pair_term`): the 1,000 most frequent non-stopword, non-numeric folded words by
document frequency in 1 of every 20 files of the Reuters news archive (5,326 articles, 2006-2013), most frequent
first. A pair needs both words among them and either among the first 200, the common words. An index stores
the sets it was built with (`engine.schema.PairText`); changing this list changes only indexes built afterwards.
"""

from __future__ import annotations

COMMON_N = 200
"""How many of the words are common: with both words among the 1,000, pairs add 9.5% to the exact fields'
positions at 2,000 Reuters articles (18.6% with the second word anything, 3x the pair terms)."""

WORDS: tuple[str, ...] = tuple(
    """
reuters said editing reporting new year s percent u also billion last market company financial one york chief
two bank million expected may first since years time government n told group business week month shares
according inc markets investors additional still executive world economy analysts co corp growth earlier
global economic quarter next high stock end largest capital including investment companies based three much
months debt wednesday tuesday crisis friday back second thursday make share sales states prices well
president monday long take united many made even fell federal banks price credit top higher rose deal
exchange like biggest industry part cut people reported analyst european report washington third trading
management likely around interest added help international recent data major going fund costs say early day
plans low another money average term think due firm get see demand already big rate lower securities set far
plan buy increase statement street comment per close current whether assets profit central hit need europe
less wall risk seen earnings way september strong move cost public past euro news sector chairman declined
rise march losses among forecast country nearly key come state better rates value however half pay continue
general june index private trade head saying cash sell consumer meeting called ago level number january
revenue five good finance senior support reserve conference put late showed spending making london go china
results funds record october several former pressure john december ahead large four annual research least
policy might july equity home board net keep services april david expect unit banking total case countries
full agreed don't november system later little stocks expectations officials short following dollar compared
potential officer line point future decision fourth work cents announced recession led expects despite
concerns jobs america weeks spokesman fall looking maker outlook start possible growing yet national rising
recovery without held decline use director call days period taking right program department treasury firms
asset closed helped given times impact issue zone quarterly february want oil american points though loss
operations coming although bond remain lost commission job boost used selling six weak august fiscal raised
asked increased tax raise bonds monetary operating adding include drop came took near minister products loans
domestic show look union change run become give enough talks hold rival latest overall open ended believe
levels offer target buying cuts stake estimates poor income needed energy sold sources measures ceo investor
japan sale confidence businesses mortgage standard best real known must problems terms us important writing
consumers house source return customers currency housing provide lot production clear foreign o corporate
small agreement economist whose e posted focus euros p product mark action matter taken significant inflation
executives court industrial regulators face place fed worth view reached needs across related almost main
conditions official basis remains mid within immediately previous north retail we're service previously
process bid left rather able labor bailout gains issues estimated result economists highest shareholders
working longer interview note difficult gain familiar trying agency efforts hard technology information
position failed lead meet office supply step michael german positive law trillion away partners strategy
dropped leading sign germany leaders similar holdings bought power dollars non reduce owned chicago situation
jones richard soon manager risks range sunday activity l longterm really pace signs details workers committee
lending outside paid member morgan members others recently available regulatory investments role concern
planned development employees warned citing smaller performance percentage order forecasts profits james t
control reporters nasdaq saw vice rules push san probably comes budget political media changes amount
portfolio avoid falling allow asia makes slightly balance holding obama loan clients administration reports
auto continued rivals bankruptcy filed bad raising cutting forward single know benchmark today roughly
released worst seeking began c comments received bill unemployment found says proposed paul emerging behind
hurt final amid currently goldman getting britain deals find insurance every funding got chinese quickly de
tim ltd excluding initial daily sachs started offering british includes turn south prime issued tough
francisco fears package problem negative wrote stronger competition force done particularly things toward
question running backed lowest economies review congress bring restructuring along create stability purchase
local manufacturing managing output old hedge thomson hopes reach ever post closing forced especially partner
slow fuel legal eu huge rating improve france response traded gross dow spain joint means core instead
offered borrowing commercial motors gained consider gave japanese italy wants bit claims double approved
greece strategist included city building region account liquidity shareholder charges sharply hours middle
certain robert seven using aid struggling increasing moving greater options rescue effect different jpmorgan
ability governments health existing jumped size majority larger french citigroup stimulus acquisition stores
spokeswoman decade financing motor futures area approval act ben questions com free estimate build sharp
environment proposal gas great together numbers often fact separate charge saturday involved try remained
measure light independent newspaper institutions bigger items straight food llc something uncertainty closely
unlikely authorities weaker payments stanley expansion cannot extended white barack named limited date
jonathan survey paper association contract pushed filing lenders division rest yen driven steps seek beyond
heavy downturn necessary california common tokyo exports grow vote starting online staff evidence leader
areas bankers lawmakers peter units crude increasingly slowing takeover facing fast access systems quarters
massive drive district capacity collapse focused steve sure goods calls effort sent launched purchases shows
fallen combined broader center default buyers prior deficit slowdown car showing strength volume thing
vehicles parts network eight billions begin person suggested orders policymakers faces series giving
sovereign exposure either reform negotiations chase considering b concerned considered widely expand owns
secretary investigation launch progress benefits offset worldwide we've stop shift sought largely poll i'm
university cases name address relatively policies required increases m india giant canada accounts employment
savings ensure continues figure figures gdp andrew estate add thought protection improvement transaction gm
easing leave monthly barrel shortterm prevent bangalore dan afternoon automaker certainly judge agree worries
release clearly margin deep decisions track traders broad lynch kind revised benefit discuss history party
weakness representatives caused ratings looks
""".split()  # noqa: SIM905
)
