"""The value lists ORCID checks in code because its XSD leaves the fields as plain strings.

Each list is an interface fact (what ORCID accepts), kept in one place so the value checks,
the rules and the tests read the same data.
"""
from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.replace(",", " ").split())


# ORCID's LanguageCode enum (old ISO 639-1 codes such as iw/in/ji/mo kept; zh split by region).
LANGUAGE_CODES = _words("""
ab aa af ak sq am ar an hy as av ae ay az bm ba eu be bn bh bi bs br bg my ca ch ce zh_CN zh_TW
cu cv kw co cr hr cs da dv nl dz en eo et ee fo fj fi fr fy ff gl lg ka de el kl gn gu ht ha iw
hz hi ho hu is io ig in ia ie iu ik ga it ja jv kn kr ks kk km ki rw ky kv kg ko ku kj lo la lv
li ln lt lu lb mk mg ms ml mt gv mi mr mh mo mn na nv ng ne nd se no nb nn ny oc oj or om os pi
pa fa pl pt ps qu rm ro rn ru sm sg sa sc gd sr sn ii sd si sk sl so nr st es su sw ss sv tl ty
tg ta tt te th bo ti to ts tn tr tk tw ug uk ur uz ve vi vo wa cy wo xh ji yo za zu
""")

# ORCID's Iso3166Country enum: ISO 3166-1 alpha-2 plus XK (Kosovo), matched by exact name.
COUNTRIES = _words("""
AF AX AL DZ AS AD AO AI AQ AG AR AM AW AU AT AZ BS BH BD BB BY BE BZ BJ BM BT BO BQ BA BW BV BR
IO BN BG BF BI KH CM CA CV KY CF TD CL CN CX CC CO KM CG CD CK CR CI HR CU CW CY CZ DK DJ DM DO
EC EG SV GQ ER EE ET FK FO FJ FI FR GF PF TF GA GM GE DE GH GI GR GL GD GP GU GT GG GN GW GY HT
HM VA HN HK HU IS IN ID IR IQ IE IM IL IT JM JP JE JO KZ KE KI KP KR KW KG LA LV LB LS LR LY LI
LT LU MO MK MG MW MY MV ML MT MH MQ MR MU YT MX FM MD MC MN ME MS MA MZ MM NA NR NP NL NC NZ NI
NE NG NU NF MP NO OM PK PW PS PA PG PY PE PH PN PL PT PR QA RE RO RU RW BL SH KN LC MF PM VC WS
SM ST SA SN RS SC SL SG SX SK SI SB SO ZA GS SS ES LK SD SR SJ SZ SE CH SY TJ TZ TH TL TG TK TO
TT TN TR TM TC TV UG UA AE GB US UM UY UZ VU VE VN VG VI WF EH YE ZM ZW TW XK
""")

# ORCID checks currency codes with java.util.Currency: ISO 4217, current codes plus the
# withdrawn ones the JDK still knows.
CURRENCIES = _words("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR
MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB
RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD
TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG
XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG ZWL
ADP AFA ATS AYM AZM BEF BGL BYB BYR CSD CYP DEM EEK ESP FIM FRF GHC GRD GWP IEP ITL LTL LUF LVL
MGF MRO MTL MZM NLG PTE ROL RUR SDD SIT SKK SRG STD TMM TPE TRL USS VEB VEF XFO XFU YUM ZMK ZWD
ZWN ZWR
""")

# The identifier types ORCID lists at /v3.0/identifiers (its identifier-type table).
# Works, fundings, peer reviews and research resources must use one of them (9023).
EXTERNAL_ID_TYPES = _words("""
agr ark arxiv asin asin-tld authenticusid bibcode cba cienciaiul cit cstr ctx dnb doi eid emdb
empiar ethos grant_number hal handle hir isbn ismn issn jfm jstor k10plus kuid lccn lensid mr
oclc ol osti other-id pat pdb pmc pmid ppr proposal-id rfc rrid source-work-id ssrn uri urn
wosuid zbl
""")

# ORCID's WorkType enum, in its own order (also its sort order for work types).
WORK_TYPES = _words("""
annotation artistic-performance blog-post book-chapter book-review book cartographic-material
clinical-study conference-abstract conference-output conference-paper conference-poster
conference-presentation conference-proceedings data-management-plan data-set design
dictionary-entry disclosure dissertation-thesis edited-book encyclopedia-entry image invention
journal-article journal-issue learning-object lecture-speech license magazine-article manual
moving-image musical-composition newsletter-article newspaper-article online-resource other patent
physical-object preprint public-speech registered-copyright report research-technique
research-tool review software sound spin-off-company standards-and-policy
supervised-student-publication technical-standard test trademark transcription translation
website working-paper undefined
""")

CITATION_TYPES = _words("""
formatted-unspecified bibtex formatted-apa formatted-harvard formatted-ieee formatted-mla
formatted-vancouver formatted-chicago ris
""")
RELATIONSHIPS = ("self", "part-of", "version-of", "funded-by")
FUNDING_TYPES = ("grant", "contract", "award", "salary-award")
REVIEWER_ROLES = ("reviewer", "editor", "member", "chair", "organizer")
REVIEW_TYPES = ("review", "evaluation")
RESOURCE_TYPES = ("infrastructures", "collections", "equipment", "services")

# Older names ORCID still reads as a work type (and stores under the current name).
WORK_TYPE_ALIASES = {"article-journal": "journal-article", "chapter": "book-chapter",
                     "dataset": "data-set", "standard": "standards-and-policy"}

# A peer review's subject: any work type, a funding type, or a research-resource proposal.
PEER_REVIEW_SUBJECT_TYPES = WORK_TYPES + (
    "grant", "contract", "award", "salary-award", "research-resource-proposal")

# Contributor roles: ORCID's original values, or a CRediT role URI (compared ignoring case).
WORK_CONTRIBUTOR_ROLES = _words("""
author assignee editor chair-or-translator co-investigator co-inventor graduate-student
other-inventor principal-investigator postdoctoral-researcher support-staff
""")
FUNDING_CONTRIBUTOR_ROLES = ("lead", "co-lead", "supported-by", "other-contribution")
CREDIT_ROLES = tuple("http://credit.niso.org/contributor-roles/%s/" % name for name in _words("""
conceptualization data-curation formal-analysis funding-acquisition investigation methodology
project-administration resources software supervision validation visualization
writing-original-draft writing-review-editing
"""))
