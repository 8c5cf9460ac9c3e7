#!/usr/bin/env bash
# The 2026 research update (rows 1-15 of the update fact sheet, H and M items only), applied with the
# catalog-editing commands. It was run once against the shipped catalog; the resulting files are committed.
# Re-running it on the updated catalog stops at the first source that already exists.
#   tools/update_2026.sh [CATALOG_DIR]
set -euo pipefail
CAT=${1:-geodata/data/catalog}
g() { python -m geodata "$@" --catalog "$CAT"; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# --- sources --------------------------------------------------------------------------------------------
g source add clearancejobs-2026-04-14 --publisher ClearanceJobs \
  --title "Air Force eyes Arctic AI boom with new data center push in Alaska" --date 2026-04-14 \
  --url https://news.clearancejobs.com/2026/04/14/air-force-eyes-arctic-ai-boom-with-new-data-center-push-in-alaska/ \
  --note "Also militaryai.ai https://militaryai.ai/us-air-force-ai-data-centers-alaska/ (undated)."
g source add dod-mirta-fy20 --publisher "DoD OASD(Sustainment), DISDI Program" \
  --title "Military Installations, Ranges, and Training Areas (MIRTA), FY2020 site points" --date 2021-09-17 \
  --url https://services7.arcgis.com/n1YM8pTrFmm7L4hs/arcgis/rest/services/mirta/FeatureServer \
  --note "Date is the metadata publication date of the FY2020 points; the URL serves the current (FY2024+) edition. Installation reference points, not parcels."
g source add tullahoma-2026-06-01 --publisher "Tullahoma News" --title "No AI Data Center at Arnold" --date 2026-06-01 \
  --url https://www.tullahomanews.com/tag/ai-data-center/ \
  --note "Also a DataCenterSignal clip https://datacentersignal.com/clip/df7f9363-fe52-4268-b1c1-4740adfb11da (undated)."
g source add woub-2026-06-15 --publisher WOUB \
  --title "A company's plan for a massive data center complex in Pike County includes private land as well" \
  --date 2026-06-15 --url https://woub.org/2026/06/15/company-plan-massive-data-center-complex-pike-county-includes-private-land/
g source add lowvoltagenation-2026-06-22 --publisher "Low Voltage Nation" --title "SB Energy PORTS Ohio AI Data Center" \
  --date 2026-06-22 --url https://www.lowvoltagenation.com/posts/sb-energy-ports-ohio-ai-data-center \
  --note "Also a DataCenterSignal clip https://datacentersignal.com/clip/493d1057-bf88-44b0-b47b-87b0948cdb23 (undated). A claimed 2026-05-07 groundbreaking (one weak site) is not entered."
g source add bloomberg-tbs-portsmouth-powered-land --publisher "Bloomberg (via TBS News Dig)" \
  --title "Portsmouth Powered Land Project (first-tranche Ohio project, \$33B)" --date 2026 \
  --url "https://newsdig.tbs.co.jp/articles/withbloomberg/2477116?display=1" \
  --note "Descriptive title. No publication date in the research notes; the year is that of the update's reporting window (Mar-Jun 2026)."
g source add texastribune-2026-04-30 --publisher "Texas Tribune" \
  --title "El Paso Fort Bliss data center: water and electricity" --date 2026-04-30 \
  --url https://www.texastribune.org/2026/04/30/el-paso-fort-bliss-data-center-water-electricity/ --note "Descriptive title (from the URL)."
g source add samgov-davis-monthan-rfi-2025-03-24 --publisher "SAM.gov (Department of the Air Force)" \
  --title "Davis-Monthan AFB request for information: land for a data center" --date 2025-03-24 \
  --url https://sam.gov/opp/5215c59dc17b44feb3fc309bfc7fb83f/view --note "Descriptive title; date is that of the RFI."
g source add exchangemonitor-2025-09-25 --publisher "Exchange Monitor" \
  --title "EM data center solicitations expected this fall" --date 2025-09-25 \
  --url https://www.exchangemonitor.com/2-em-data-center-solicitations-expected-this-fall-2 \
  --note "Descriptive title (from the URL). Also JD Supra 'DOE opens the door to AI data centers' https://www.jdsupra.com/legalnews/doe-opens-the-door-to-ai-data-centers-8010026/ (undated)."
g source add openai-michigan-2026-06-01 --publisher "OpenAI (blog, as mirrored)" \
  --title "Building the infrastructure for the Intelligence Age in Michigan" --date 2026-06-01 \
  --url https://callmor.ai/blog/building-the-infrastructure-for-the-intelligence-age-in-michigan
g source add nhk-2026-03-second-tranche --publisher "NHK (via kantanreader)" \
  --title "Japan \$550B second tranche candidates: GE Vernova Hitachi SMRs and gas power plants" --date 2026-03 \
  --url https://kantanreader.com/ade10d62d7afa1349bb7a340c1f0a73a.html \
  --note "Descriptive title. Reported about 2026-03-17, before the March 2026 summit (month used)."
g source add yomiuri-2026-03-08 --publisher "Yomiuri Shimbun" \
  --title "Second-round candidates of the Japan \$550B investment (Westinghouse reactors, display plant, copper smelting)" \
  --date 2026-03-08 --url https://japannews.yomiuri.co.jp/politics/politics-government/20260308-315057/ --note "Descriptive title."
g source add newsmax-reuters-2026-03-09 --publisher "Newsmax (Reuters)" --title "US-Japan plant: Japan Display US fab talks" \
  --date 2026-03-09 --url https://www.newsmax.com/politics/us-japan-plant/2026/03/09/id/1248798/ --note "Descriptive title."
g source add ogj-texas-gulflink-licence --publisher "Oil & Gas Journal" \
  --title "US approves license for Texas GulfLink deepwater oil export port" --date 2026-02-03 \
  --url https://www.ogj.com/general-interest/government/news/55355295/us-approves-license-for-texas-gulflink-deepwater-oil-export-port \
  --note "Publication date not given in the research notes; date is that of the licence it reports."
g source add dcd-softbank-digitalbridge --publisher "DatacenterDynamics (reader copy)" \
  --title "SoftBank to buy data center investor DigitalBridge for \$4bn" --date 2025-12-29 \
  --url https://hn.jakechampion.name/reader/https://www.datacenterdynamics.com/en/news/softbank-to-buy-data-center-investor-digitalbridge-for-4bn \
  --note "Publication date not given; date is that of the announcement it reports."
g source add softbank-press-2025-10-08 --publisher "SoftBank Group (press release)" \
  --title "SoftBank Group to acquire ABB's robotics business" --date 2025-10-08 \
  --url https://group.softbank/en/news/press/20251008 --note "Descriptive title."
g source add menafn-softbank-lordstown-3b --publisher MENAFN \
  --title "SoftBank to invest \$3 billion in Ohio factory for OpenAI data centers as it looks to advance \$500 billion Stargate project" \
  --date 2025-11-20 --url https://menafn.com/1110375989/Softbank-To-Invest-3-Billion-In-Ohio-Factory-For-Openai-Data-Centers-As-It-Looks-To-Advance-500-Billion-Stargate-Project-Report \
  --note "Title from the URL. Publication date not given; date is that of the report it carries."
g source add startupfortune-2026-06-24 --publisher "Startup Fortune" \
  --title "Masayoshi Son is trying to turn his AI spending spree into a public company" --date 2026-06-24 \
  --url https://startupfortune.com/masayoshi-son-is-trying-to-turn-his-ai-spending-spree-into-a-public-company/ \
  --note "Also CoinPost (FT report) https://coinpost.ai/en/topics/104559 (undated); Bloomberg also reported it."
g source add azdailyindependent-2026-02-06 --publisher "Arizona Daily Independent" \
  --title "Arizona Corporation Commission approves controversial Surprise data center" --date 2026-02-06 \
  --url https://arizonadailyindependent.com/2026/02/06/arizona-corporation-commission-approves-controversial-surprise-data-center \
  --note "Title from the URL."
g source add cliffcenter-2026-05-07-maricopa --publisher "Cliff Center (docket summary)" \
  --title "Maricopa County Board of Supervisors voted 4-1 (Project Baccara military-compatibility permit)" --date 2026-05-07 \
  --url https://www.cliffcenter.com/dockets/i/2026-05-07-maricopa-county-board-of-supervisors-voted-4-1 \
  --note "Descriptive title; date from the URL."

# --- row 1: AFCEC-26-R-0006, three Alaska installations at their MIRTA points ---------------------------
alaska_site() {  # id name lon lat mirta_name
  python -m geodata approx-polygon "$3" "$4" > "$TMP/$1.geojson"
  g record add sites id="$1" name="$2" role=candidate phase=context status=solicitation-issued \
    status_date=2026-04-10 first_reported=2026-04-10 agency=DAF \
    agency_detail="Department of the Air Force (AFCEC), lease request AFCEC-26-R-0006" land_status=federal state=AK \
    reported_area_text="Part of about 4,700 ac in 12 parcels across JBER, Eielson AFB and Clear SFS; acreage per installation not reported" \
    description="Offered for AI data-center leases under AFCEC-26-R-0006 (published 2026-04-10): 12 parcels, about 4,700 ac, at JBER, Eielson AFB and Clear SFS. Industry day 2026-04-23; site tours 2026-04-28 to 30; offers due 2026-05-29. No award found." \
    confidence=high geometry_quality=approximate coord_method=imported \
    geometry_note="Nominal 1 km circle (no acreage per installation reported) around the DoD MIRTA FY2020 point of $5 ($3, $4); marks the installation, not the offered parcels." \
    anchor="$3,$4" note="Follow-on to AFCEC-26-R-0002 (2025-10-21)." \
    --geometry "$TMP/$1.geojson" --source clearancejobs-2026-04-14 --source dod-mirta-fy20
}
alaska_site joint-base-elmendorf-richardson "Joint Base Elmendorf-Richardson (JBER)" -149.6265085 61.2287653 "Joint Base Elmendorf-Richardson"
alaska_site eielson-afb "Eielson AFB" -147.0602394 64.6742398 "Eielson Air Force Base"
alaska_site clear-sfs "Clear Space Force Station" -149.1907147 64.2881606 "Clear Air Force Station (the name in FY2020)"

# --- row 2: Arnold AFB is off ----------------------------------------------------------------------------
g record set-status arnold-afb cancelled --date 2026-06-01 --source tullahoma-2026-06-01 \
  --note "The base said on 2026-06-01 that no data center will come; no proposals arrived by the 2026-05-29 deadline. Coffee County's planning commission backed a 12-month data-center moratorium on 2026-05-26."
g record edit arnold-afb \
  note="Follows the 2026-06-01 Tullahoma News report (later and first-hand) over the fact sheet's 'RFLP issued; pending' (S28, kept as the source of the offer). The whole RFLP covered ~3,100 ac in 15 parcels of ~100-560 ac." \
  --source tullahoma-2026-06-01

# --- rows 3-5: PORTS private land, first 800 MW, the project's name --------------------------------------
g record edit ports-technology-campus land_status=mixed \
  reported_area_text="Not stated for the federal site; the project also uses about 1,016 ac of private farmland north and east of the former plant (WOUB 2026-06-15)" \
  note="RFI-listed 2025-04; not in DOE's July 2025 top four. Closest analogue to a 'Trump Industrial Park' (no site so branded as of ~June 2026). \$33.3B of its power financed through the Japan \$550B mechanism. Private land (medium confidence, one outlet): about late May 2026 SB Energy applied for an Ohio EPA permit for the 10-GW data-center and gas complex that also uses about 1,016 ac of private farmland north and east of the former plant (owners Woodburn Heights LLC, Green Eyes LLC, Roe Farms LLC; SB Energy holds purchase options); the 10 GW is split between the federal and the private land, layout not set. The outline still marks the federal installation only. Coordinate confidence medium." \
  --source woub-2026-06-15
g record edit fac-ports-campus \
  note="Same place as site ports-technology-campus. The project's own page puts the start of construction of the first 800 MW in 2026 (medium confidence); a petition for an Ohio constitutional ban on very large data centers was filed around 2026-05-26. A claimed 2026-05-07 groundbreaking comes from one weak site and is not entered. The complex also uses about 1,016 ac of private farmland (WOUB 2026-06-15). Coordinate confidence medium." \
  --source lowvoltagenation-2026-06-22 --source woub-2026-06-15
g record edit inv-sb-energy-ohio-gas \
  name="Portsmouth Powered Land Project: SB Energy 9.2-GW gas generation, southern Ohio (Japan tranche 1)" \
  note="Official name of the first-tranche Ohio project (\$33B, near Portsmouth, OH) per Bloomberg." \
  --source bloomberg-tbs-portsmouth-powered-land

# --- row 6: Fort Bliss compute targets --------------------------------------------------------------------
g record edit fort-bliss \
  note="50-year EULs, consideration in cash or in kind; proposals were due ~2026-01-15/22 (an amendment listed 2026-02-23). The Army targets about 100 MW of initial compute by 2027 and 3 GW by 2029; the deal is still conditional (Texas Tribune 2026-04-30)." \
  --source texastribune-2026-04-30
g record edit fac-fort-bliss-dc \
  note="The Army targets about 100 MW of initial compute by 2027 and 3 GW by 2029; the deal is still conditional (Texas Tribune 2026-04-30)." \
  --source texastribune-2026-04-30

# --- row 7: the earlier Davis-Monthan RFI -----------------------------------------------------------------
g record edit davis-monthan-afb first_reported=2025-03-24 \
  reported_area_text="300 ac (RFLP AFCEC-26-R-0002); an earlier RFI (2025-03-24) asked about up to 620 ac south of the flightline (330 ac at first) for 500 MW or more" \
  --source samgov-davis-monthan-rfi-2025-03-24
g record set-status davis-monthan-afb rfi-listed --date 2025-03-24 --source samgov-davis-monthan-rfi-2025-03-24 \
  --note "Air Force RFI: up to 620 ac south of the flightline (330 ac at first), for 500 MW or more."

# --- row 8: acreage on offer (kept beside the fact sheet's figures) ---------------------------------------
g record edit paducah-gaseous-diffusion-plant \
  reported_area_text="~3,500-ac site; up to ~3 GW (MISO) per the RFI; up to 700 ac on offer (Exchange Monitor 2025-09-25, medium confidence)" \
  --source exchangemonitor-2025-09-25
g record edit oak-ridge-reservation \
  reported_area_text="ORR 33,508 ac total; offered ~95 ac (next to ORNL) + ~150 ac (ETTP); more than 250 ac on offer per Exchange Monitor 2025-09-25 (medium confidence)" \
  --source exchangemonitor-2025-09-25
g record edit idaho-national-laboratory \
  reported_area_text="~44,000 ac identified (the RFI cited ~62,000 ac on an 890-sq-mi site); the request for applications offers about 100,000 ac (Exchange Monitor 2025-09-25 / JD Supra, medium confidence). Both figures kept, each with its source" \
  --source exchangemonitor-2025-09-25

# --- row 9: Stargate Michigan broke ground ----------------------------------------------------------------
for rid in fac-stargate-michigan inv-stargate-michigan; do
  g record set-status "$rid" under-construction --date 2026-06-01 --source openai-michigan-2026-06-01 \
    --note "OpenAI broke ground on the 1-GW site on 2026-06-01; dates the start the tracker gave only as June 2026."
done

# --- rows 10-11: second-tranche candidates ----------------------------------------------------------------
g record add investments id=inv-japan-second-tranche-gevh-gas \
  name="Japan \$550B second tranche candidates: GE Vernova Hitachi SMRs and gas power plants" \
  investor="Government of Japan (\$550B mechanism)" recipient="GE Vernova Hitachi SMRs (Tennessee and elsewhere); gas power plants in Pennsylvania and Texas" \
  amount_usd_high=73000000000 amount_text="up to \$73B in all" phase=phase-1 sector=power-generation status=candidate \
  status_date=2026-03 first_reported=2026-03 location="TN and elsewhere (SMRs); PA and TX (gas)" state="TN;PA;TX" \
  companies="GE Vernova Hitachi" \
  description="Candidates for the second tranche reported before the March 2026 summit: GE Vernova Hitachi small modular reactors in Tennessee and elsewhere plus gas power plants in Pennsylvania and Texas, up to \$73B in all." \
  confidence=medium geometry_quality=none coord_method=none geometry_note="No coordinate: several states, sites not reported." \
  note="Differs from the fact sheet's '~\$40B GE Vernova Hitachi SMR deal, sites in TN and AL' (ZeroHedge 2026-03-19, a single partisan source, S17): this record follows NHK, an outlet of record, and says so; the \$40B report stays on inv-ge-vernova-hitachi-smr with its source." \
  --source nhk-2026-03-second-tranche
g record edit inv-ge-vernova-hitachi-smr \
  note="NHK (about 2026-03-17, medium confidence) lists GE Vernova Hitachi SMRs in Tennessee and elsewhere, with gas plants in PA and TX, as second-tranche candidates of up to \$73B in all (record inv-japan-second-tranche-gevh-gas). The catalog follows NHK over the ~\$40B SMR collaboration 'sites in TN and AL' reported on 2026-03-19 by a single partisan source (ZeroHedge, S17), which is kept as a source. Status kept at candidate. Oct-28 fact-sheet amounts are 'up to' ceilings for candidate projects, not disbursements." \
  --source nhk-2026-03-second-tranche
g record edit inv-westinghouse-ap1000-smr \
  note="Mar 2026 (Reuters via News.az, 2026-03-04): considered for the second round. Yomiuri (2026-03-08, medium confidence) lists ten Westinghouse reactors among the second-round candidates, which with a display plant and copper smelting may exceed \$100B together. Oct-28 fact-sheet amounts are 'up to' ceilings for candidate projects, not disbursements." \
  --source yomiuri-2026-03-08
g record edit inv-copper-smelting-second-round \
  note="Also named a second-round candidate by Yomiuri (2026-03-08, medium confidence), with ten Westinghouse reactors and a display plant (possibly more than \$100B together)." \
  --source yomiuri-2026-03-08
g record add investments id=inv-japan-display-us-fab name="Japan Display US fab (Japan \$550B second-round candidate)" \
  investor="Japan (\$550B mechanism, second round)" recipient="Japan Display: LCD/OLED display fab in the US" \
  amount_usd_low=13000000000 amount_usd_high=13000000000 amount_text="about \$13B" phase=phase-1 sector=electronic-components \
  status=in-talks status_date=2026-03-09 first_reported=2026-03-08 location=TBD companies="Japan Display" \
  description="A Japan Display US display (LCD/OLED) fab of about \$13B, under talks as a second-round candidate of the \$550B mechanism." \
  confidence=high geometry_quality=none coord_method=none geometry_note="No coordinate: US site not reported." \
  note="Talks: high confidence (Reuters via Newsmax, 2026-03-09); the display plant as a second-round candidate: Yomiuri 2026-03-08 (medium)." \
  --source yomiuri-2026-03-08 --source newsmax-reuters-2026-03-09

# --- row 12: Texas GulfLink licence ----------------------------------------------------------------------
g record edit fac-texas-gulflink first_reported=2026-02-03 \
  note="US DOT deepwater port licence on 2026-02-03 (Oil & Gas Journal); approved in the first \$550B tranche on 2026-02-17." \
  --source ogj-texas-gulflink-licence

# --- row 13: SoftBank moves missing from the fact sheet ---------------------------------------------------
g record add investments id=inv-softbank-digitalbridge name="SoftBank purchase of DigitalBridge" investor=SoftBank \
  recipient="DigitalBridge (data-center investor; portfolio includes Vantage, Switch and Takanock)" \
  amount_usd_low=4000000000 amount_usd_high=4000000000 amount_text="\$4B" phase=context sector=data-centers \
  status=announced status_date=2025-12-29 first_reported=2025-12-29 location=US-wide companies="SoftBank;DigitalBridge;Vantage Data Centers;Switch;Takanock" \
  description="SoftBank agreed to buy the data-center investor DigitalBridge for \$4B; closing expected in H2 2026." \
  confidence=high geometry_quality=none coord_method=none geometry_note="No single place: a portfolio company." \
  note="Closing expected in H2 2026; no closing found." --source dcd-softbank-digitalbridge
g record add investments id=inv-softbank-abb-robotics name="SoftBank purchase of ABB Robotics" investor=SoftBank \
  recipient="ABB's robotics business" amount_usd_low=5375000000 amount_usd_high=5375000000 amount_text="\$5.375B" \
  phase=context sector=robotics status=announced status_date=2025-10-08 first_reported=2025-10-08 location=Global \
  companies="SoftBank;ABB" description="SoftBank agreed to buy ABB's robotics business for \$5.375B." \
  confidence=high geometry_quality=none coord_method=none geometry_note="No single place: a global business." \
  --source softbank-press-2025-10-08
g record add investments id=inv-softbank-lordstown-modular-dc name="SoftBank conversion of the Lordstown plant to build modular data-center units" \
  investor=SoftBank recipient="Lordstown, OH plant (modular data-center units for OpenAI / Stargate)" \
  amount_usd_high=3000000000 amount_text="up to \$3B" phase=context sector=data-centers status=announced \
  status_date=2025-11-20 first_reported=2025-11-20 location="Lordstown, OH" state=OH facility_id=fac-lordstown \
  companies="SoftBank;OpenAI" description="SoftBank to put up to \$3B into converting the Lordstown, Ohio plant to build modular data-center units." \
  confidence=high geometry_quality=none coord_method=none geometry_note="Located at facility fac-lordstown." \
  --source menafn-softbank-lordstown-3b

# --- row 14: Roze (a plan, reported) ----------------------------------------------------------------------
g record add investments id=inv-softbank-roze name="SoftBank 'Roze': a US company to build data centers with robots (plan)" \
  investor=SoftBank recipient="Roze (planned US company)" amount_text="target valuation \$100B (not an investment amount)" \
  phase=context sector=data-centers status=concept status_date=2026-06-24 first_reported=2026-06-24 location=US companies=SoftBank \
  description="SoftBank plans 'Roze', a US company that would build data centers with robots; target valuation \$100B, listing possibly in 2026. A plan, not a commitment." \
  confidence=high geometry_quality=none coord_method=none geometry_note="No place: a planned company." \
  note="High confidence that it was reported (FT, also Bloomberg); the plan itself is not a commitment." \
  --source startupfortune-2026-06-24

# --- row 15: Project Baccara (private land near Luke AFB; context in the Phoenix view) --------------------
g record add facilities id=fac-project-baccara name="Project Baccara (two data centers and a 700-MW gas plant)" company=Takanock \
  type=data-center sector=data-centers city="west Phoenix (county island near Luke AFB)" state=AZ lon=-112.3729931 lat=33.5352188 \
  phase=context status=approved status_date=2026-02-04 first_reported=2026-02-04 companies="Takanock;DigitalBridge" \
  description="Two data centers and a 700-MW gas plant on about 160 ac of private county-island land near Luke AFB, west Phoenix; developer Takanock, backed by DigitalBridge. Not federal land." \
  confidence=medium geometry_quality=approximate coord_method=imported \
  geometry_note="Placed at the DoD MIRTA FY2020 point of Luke AFB (-112.373, 33.535), which the project is near; the ~160-ac parcel itself is not located." \
  note="Context only: private land, not a federal site. Arizona Corporation Commission certificate 2026-02-04." \
  --source azdailyindependent-2026-02-06 --source dod-mirta-fy20
g record edit fac-project-baccara \
  note="Context only: private land, not a federal site. Arizona Corporation Commission certificate 2026-02-04; Maricopa County military-compatibility permit passed 4-1 around 2026-05-06." \
  --source cliffcenter-2026-05-07-maricopa
echo "update applied to $CAT"
