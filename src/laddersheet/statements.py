"""Behavioural statements and development actions: the words of the ladder.

A ladder cell answers "what does someone at this level observably do?". It is built from three
sources, following the project's design note on ladder writing (ladder-writing.md):

* **what** - one of the occupation's own O*NET task statements linked to the competency,
  rewritten into the third person ("Resolves customer complaints ..."). This is what makes a
  customer success ladder read differently from a software engineering one;
* **scope and autonomy** - the level's *stage* on its track (with review -> on their own ->
  across a workstream -> the team -> the function), read from the settings' scope/autonomy text;
* **how much** - the O*NET level anchor (LV 2/4/6) nearest the level's target LV picks the kind
  of cases handled (routine / non-routine / complex, high-stakes), and a hand-written
  behaviour sentence per competency and stage says what the step looks like.

Everything here is deterministic: no randomness, no ordering by hash.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .settings import TRACK_IC, LevelSpec

CRAFT = "Craft & technical"
PROBLEM_SOLVING = "Problem solving"
COMMUNICATION = "Communication & collaboration"
BUSINESS = "Customer & business impact"
WORKING_STYLE = "Working style"
PEOPLE_LEADERSHIP = "People leadership"
DOMAINS = (CRAFT, PROBLEM_SOLVING, COMMUNICATION, BUSINESS, WORKING_STYLE, PEOPLE_LEADERSHIP)

IC_STAGES = 5  # with review, on their own, a workstream, the team, the function
MANAGER_STAGES = 4  # team lead, manager, director (managers of managers), executive

# GWAs whose tasks are about leading people: kept for the Manager track's people-leadership rows
# and out of the IC track (where "supervise" tasks from supervisor codes would otherwise leak in).
PEOPLE_ACTIVITIES = frozenset({"4.A.4.b.2", "4.A.4.b.4", "4.A.4.b.5", "4.A.4.c.2"})


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class CompetencyDef:
    """One competency of the library: its O*NET sources and its words.

    ``element_id`` is the O*NET element the competency is named after (its rating is reported in
    the Expectations sheet); ``supports`` are near-duplicate elements folded into it so that, for
    example, Writing and English Language do not become two rows.
    """

    competency_id: str
    name: str
    domain: str
    element_id: str
    supports: tuple[str, ...]
    keywords: tuple[str, ...]  # stems matched against task text to find the family's "what"
    description: str
    stages: tuple[str, ...]  # behaviour per stage: 5 for IC rows, 4 for people leadership
    practice: str  # noun phrase for manager-lens sentences: "Sets the team's standard for ..."
    actions: tuple[str, ...]  # IC: early / branch / senior bands; people leadership: M early/late

    @property
    def people_leadership(self) -> bool:
        return self.domain == PEOPLE_LEADERSHIP


def _c(
    competency_id: str,
    name: str,
    domain: str,
    element_id: str,
    supports: str,
    keywords: str,
    description: str,
    practice: str,
    stages: Sequence[str],
    actions: Sequence[str],
) -> CompetencyDef:
    return CompetencyDef(
        competency_id,
        name,
        domain,
        element_id,
        tuple(supports.split()),
        tuple(keywords.split()),
        description,
        tuple(stages),
        practice,
        tuple(actions),
    )


# fmt: off
LIBRARY: tuple[CompetencyDef, ...] = (
    # --- Craft & technical -------------------------------------------------------------------
    _c("programming", "Programming", CRAFT, "2.B.3.e", "4.A.3.b.1",
       "program code coding script software application web",
       "Writing, testing and maintaining code.", "code quality",
       ("Writes code that follows the team's conventions and passes review after a round of "
        "comments.",
        "Writes tested, readable code for a whole feature and resolves review comments the same "
        "day.",
        "Chooses the structure and libraries for a feature and reviews peers' code for defects "
        "and design.",
        "Sets the team's coding standards and tooling, and reviews the changes that carry the "
        "most risk.",
        "Decides the languages, frameworks and quality bar the function will build on for years."),
       ("Pair with a senior colleague on two tickets this month, then ship a third alone with them "
        "reviewing; bring the review comments and what you changed to your next 1:1.",
        "Own the design and code of one feature this quarter and review at least five peers' "
        "changes; bring a list of the defects your reviews caught to your review.",
        "Propose one coding standard or tooling change this quarter, agree it with the team, roll "
        "it "
        "out, and report its effect on review time or defects six weeks later.")),
    _c("requirements-analysis", "Requirements analysis", CRAFT, "2.B.3.a", "",
       "requirement needs specification feasibilit user scope",
       "Working out what users and the business need, and turning it into clear requirements.",
       "clear requirements",
       ("Writes down the requirements for a task and checks them with the requester before "
        "starting.",
        "Turns a request into requirements and acceptance criteria, and asks users about the "
        "cases they left out.",
        "Works out what users need when they disagree or cannot say, and writes requirements "
        "others build from.",
        "Decides which needs the team's work will meet and which it will not, and explains the "
        "trade-off to stakeholders.",
        "Sets how the function gathers and weighs needs, and settles competing demands with "
        "executives."),
       ("Sit in on two requirement conversations led by a senior colleague this month, then write "
        "the requirements for your next task and have them check it before you start; bring both "
        "to your 1:1.",
        "Lead the requirements for one project this quarter: interview at least three users, write "
        "the acceptance criteria, and bring the changes you caught before build to your review.",
        "Run a needs review across two teams this half-year, publish what was agreed and what was "
        "left out, and report at the next review how many late changes it avoided.")),
    _c("solution-design", "Solution design", CRAFT, "2.B.3.b", "4.A.3.b.2",
       "design architect prototype model develop build",
       "Designing systems, tools or processes that meet users' needs.", "design quality",
       ("Builds to a design a senior colleague has set, and flags where it does not fit the real "
        "case.",
        "Designs small components or changes alone and writes down the choices made.",
        "Designs a system or workflow for a workstream, compares options and records why one was "
        "chosen.",
        "Sets the team's design patterns and reviews designs that affect other teams before they "
        "are built.",
        "Sets the long-term architecture of the function's systems and steers teams toward it."),
       ("Before your next two pieces of work, sketch the design and walk a senior colleague "
        "through "
        "it; bring the sketches and their comments to your 1:1 within the month.",
        "Write a one-page design with at least two options for a project this quarter, have a peer "
        "from another team review it, and bring the decision record to your review.",
        "Run the team's design reviews for a quarter, publish the patterns you want repeated, and "
        "show at the next review which designs changed because of them.")),
    _c("quality-testing", "Testing and quality checks", CRAFT, "2.B.3.m", "4.A.1.b.2",
       "test inspect quality defect verif audit qa",
       "Testing and inspecting work, products or processes to catch problems before others do.",
       "testing",
       ("Runs the checks or tests they are given and records each failure with the steps to "
        "reproduce it.",
        "Plans and runs the checks for their own work and catches most defects before anyone "
        "else sees them.",
        "Designs the test approach for a workstream and decides what must pass before release.",
        "Sets the team's quality bar and measures, and stops releases that do not meet it.",
        "Sets how the function builds quality in across teams and reports quality trends to "
        "executives."),
       ("Check one release or deliverable with a senior colleague this month, then check the next "
        "one yourself with them reviewing; bring your defect notes to your 1:1.",
        "Write the test plan for one project this quarter, run it, and bring the count of defects "
        "found before and after release to your review.",
        "Define a quality measure for the team this quarter, agree the target with your manager, "
        "track it for six weeks and present the trend and fixes at the next review.")),
    _c("troubleshooting", "Troubleshooting", CRAFT, "2.B.3.k", "",
       "troubleshoot diagnos problem error fault malfunction repair investigat",
       "Finding the cause of faults and deciding how to fix them.",
       "finding and fixing root causes",
       ("Follows the runbook to diagnose a known fault and escalates with the steps already tried.",
        "Finds the cause of everyday faults alone and writes down the fix for the next person.",
        "Traces faults that cross systems or have no runbook, and fixes the cause as well as the "
        "symptom.",
        "Leads the response to the team's hardest incidents and makes sure each ends with a "
        "lasting fix.",
        "Sets how the function prevents and responds to incidents, and reviews the largest with "
        "executives."),
       ("Shadow a senior colleague on three incidents or tickets this month, then take the next "
        "one "
        "with them as back-up; bring your notes on cause and fix to your 1:1.",
        "Lead two non-routine incidents this quarter, write the root-cause note for each, and "
        "bring "
        "the follow-up fixes you shipped to your review.",
        "Run the team's incident reviews for a quarter, get the top repeat cause fixed, and show "
        "the "
        "drop in repeat incidents at the next review.")),
    _c("system-monitoring", "Monitoring systems", CRAFT, "2.B.3.g", "4.A.1.a.2",
       "monitor alert performance uptime log capacity",
       "Watching systems and processes so problems are caught before users feel them.",
       "monitoring",
       ("Watches the dashboards and alerts they are assigned and raises anything outside the "
        "normal range.",
        "Responds to alerts on their own systems and tunes the ones that fire for no reason.",
        "Sets up monitoring for a workstream's systems so problems show before users notice.",
        "Sets the team's monitoring standards and the targets its systems must meet.",
        "Sets the function's reliability targets and reports them to executives against "
        "business needs."),
       ("Shadow the person on call for two weeks this quarter, then take a shift with them as "
        "back-up; bring the list of alerts you handled to your 1:1.",
        "Add or fix monitoring for one system you own this quarter, cut its false alerts, and "
        "bring "
        "the before-and-after alert counts to your review.",
        "Agree targets for the team's main systems this quarter, publish a monthly report on them, "
        "and present what changed at the next review.")),
    _c("installation", "Installing and configuring", CRAFT, "2.B.3.d", "2.B.3.c 2.B.3.h",
       "install configur set up upgrade equipment hardware workstation",
       "Installing, configuring and upgrading equipment and software.", "installs and upgrades",
       ("Installs and sets up standard equipment or software from a checklist and checks it works.",
        "Installs and configures systems alone and keeps the setup notes current.",
        "Plans installs and upgrades for a workstream, including how to roll back, and picks the "
        "tools.",
        "Sets the team's standard builds and how changes are rolled out.",
        "Decides the function's platforms and the multi-year plan to replace or upgrade them."),
       ("Do your next three installs with a senior colleague checking the result this month; bring "
        "the checklist you used and what you added to it to your 1:1.",
        "Plan and run one upgrade this quarter with a written rollback plan, and bring the plan "
        "and "
        "the outcome to your review.",
        "Write the team's standard build for one platform this half-year, move two systems onto "
        "it, "
        "and report the change in setup time at the next review.")),
    _c("quantitative-analysis", "Quantitative analysis", CRAFT, "2.A.1.e", "2.C.4.a 4.A.1.b.3",
       "calculat compute statistic figures forecast estimat model mathemat numer",
       "Using numbers, statistics and models to answer questions.", "quantitative rigour",
       ("Does standard calculations for their work and has a colleague check the method.",
        "Chooses and applies the right calculation or statistic for a question and shows the "
        "working.",
        "Builds models or forecasts for a workstream and states their assumptions and margin of "
        "error.",
        "Sets the team's analysis methods and checks the numbers behind its biggest decisions.",
        "Sets the quantitative methods the function relies on and explains their limits to "
        "executives."),
       ("Redo one analysis a senior colleague has done this month, compare your method with "
        "theirs, "
        "and bring the differences to your 1:1.",
        "Build one forecast or model this quarter, write down its assumptions, and bring the "
        "comparison of forecast and actuals to your review.",
        "Write the team's guide to one analysis method this half-year, review three analyses "
        "against it, and present the corrections made at the next review.")),
    _c("scientific-method", "Experiments and research methods", CRAFT, "2.A.1.f", "",
       "research experiment hypothes study scientific trial",
       "Designing experiments and studies, and drawing sound conclusions from them.",
       "experiment design",
       ("Runs experiments or studies designed by others and records the results exactly as found.",
        "Designs simple experiments for their own questions, with a hypothesis and a success "
        "measure set in advance.",
        "Designs experiments for a workstream that control for the obvious biases, and explains "
        "the limits of the results.",
        "Sets the team's standards for experiment design and reviews the experiments behind "
        "major decisions.",
        "Sets the function's research agenda for the coming years and defends its methods to "
        "executives."),
       ("Pair with a senior colleague on one experiment this month, write its hypothesis and "
        "success "
        "measure before it starts, and bring the write-up to your 1:1.",
        "Design and run one experiment this quarter with the analysis plan fixed in advance, and "
        "bring the write-up and its limits to your review.",
        "Review every experiment the team launches for a quarter against a checklist you publish, "
        "and report at the next review which decisions changed.")),
    _c("data-analysis", "Data analysis", CRAFT, "4.A.2.a.4", "4.A.2.a.2",
       "analy data report trend metric dashboard query statistic",
       "Turning data into findings that people act on.", "data analysis",
       ("Pulls and cleans the data for a defined question and checks the totals with a colleague.",
        "Answers a business question with data alone and says how certain the answer is.",
        "Frames the question behind a request, combines sources and presents findings people act "
        "on.",
        "Decides which analyses the team does and sets its standards for data quality and method.",
        "Sets the function's analytics direction and brings data into executive decisions."),
       ("Take two small data requests this month, have a senior colleague review your query and "
        "checks, and bring their comments and your fixes to your 1:1.",
        "Own one analysis end to end this quarter, from the question to a recommendation, and "
        "bring "
        "the decision it informed to your review.",
        "Write the team's data-quality checklist this half-year, apply it to the team's top five "
        "reports, and present the errors found and fixed at the next review.")),
    _c("technology", "Computers and technology", CRAFT, "2.C.3.a", "4.A.3.b.1",
       "computer software system network database application hardware technolog online digital",
       "Knowing the computers, software and systems the work runs on.", "the use of technology",
       ("Uses the team's standard tools and systems correctly and asks before changing their "
        "settings.",
        "Picks the right tool or feature for a task without help and helps colleagues use it.",
        "Explains how the workstream's systems fit together and flags when a change to one will "
        "break another.",
        "Decides which tools and systems the team uses and how they are set up.",
        "Sets the function's technology roadmap and weighs new technology against cost and risk "
        "with executives."),
       ("List the five tools you use most and, with a senior colleague, learn one feature of each "
        "you do not use yet this month; show one time-saving change at your 1:1.",
        "Document how the systems in your area connect this quarter, have a peer check it, and "
        "bring the diagram and the risks you found to your review.",
        "Evaluate one tool or system change for the team this half-year, with costs and risks, "
        "take "
        "the decision to your manager, and report the result at the next review.")),
    _c("engineering", "Engineering principles", CRAFT, "2.C.3.b", "",
       "engineer technical specification architect system design",
       "Applying engineering principles and technical standards to real problems.",
       "engineering standards",
       ("Applies the team's technical standards to their own tasks with a senior colleague "
        "checking the result.",
        "Applies engineering principles to their own projects and explains the technical choices "
        "made.",
        "Makes the technical trade-offs for a workstream and writes them down for others to "
        "review.",
        "Sets the technical standards the team works to and reviews work that departs from them.",
        "Sets the function's engineering direction and the standards other teams adopt."),
       ("Review one piece of your recent work against the team's standards with a senior colleague "
        "this month, and bring the gaps and fixes to your 1:1.",
        "Write up the technical trade-offs of one project you lead this quarter and have a peer "
        "review them; bring the write-up to your review.",
        "Draft one technical standard for the team this half-year, get it adopted, and report how "
        "many pieces of work it changed at the next review.")),
    _c("design-craft", "Design craft", CRAFT, "2.C.3.c", "2.C.7.c",
       "design layout visual graphic sketch illustrat mockup prototype color typograph",
       "Using design techniques, tools and principles to produce plans, layouts and visuals.",
       "design quality",
       ("Produces layouts and visuals from an agreed brief and style guide, with a senior "
        "designer reviewing them.",
        "Designs complete pieces from brief to final files alone and explains the design choices.",
        "Sets the design approach for a product area or campaign and critiques peers' work in "
        "reviews.",
        "Owns the team's design system or style guide and decides when to change it.",
        "Sets the visual and experience direction of the company's products or brand for years "
        "ahead."),
       ("Take two briefs this month with a senior designer reviewing each draft, and bring the "
        "drafts and their comments to your 1:1.",
        "Lead one design from brief to launch this quarter, present it in a team critique, and "
        "bring "
        "the feedback and what changed to your review.",
        "Run the team's design critiques for a quarter and update the style guide from them; show "
        "the changes adopted at the next review.")),
    _c("records-and-administration", "Records and administration", CRAFT, "2.C.1.b",
       "4.A.3.b.6 4.A.4.c.1",
       "record file document form paperwork database correspondence log enter process",
       "Keeping records, forms and administrative processes accurate and usable.",
       "record-keeping",
       ("Keeps records and forms complete and on time, using the team's templates.",
        "Runs their own administrative processes without reminders and fixes errors they find in "
        "the records.",
        "Designs the records and forms for a workstream so that others can find and trust them.",
        "Sets the team's record-keeping standards and checks they are followed.",
        "Sets the function's systems and rules for records: what is kept, for how long and why."),
       ("Have a senior colleague spot-check ten of your records this month, fix what they find, "
        "and "
        "bring the error count to your 1:1.",
        "Redesign one form or record process you own this quarter, and bring the before-and-after "
        "error or turnaround figures to your review.",
        "Audit the team's records against a standard you write this half-year, and present the "
        "findings and fixes at the next review.")),
    _c("hr-practice", "HR and employment practice", CRAFT, "2.C.1.f", "",
       "employee applicant candidate recruit hiring benefit personnel compensation orientation "
       "termination job",
       "Knowing recruitment, pay, benefits, employee relations and employment processes.",
       "employment practice",
       ("Runs standard HR processes, such as offers, onboarding or records, from the checklist.",
        "Handles employee and candidate cases alone and applies policy consistently.",
        "Handles sensitive cases, such as complaints or exits, and improves the process behind "
        "them.",
        "Designs the team's programmes, such as hiring, onboarding or benefits, and advises "
        "managers on hard cases.",
        "Sets the company's people policies and multi-year programmes with the executive team."),
       ("Run your next three cases with a senior colleague reviewing them this month, and bring "
        "the "
        "case notes and their feedback to your 1:1.",
        "Own one HR process end to end this quarter, measure its turnaround, and bring one "
        "improvement you made to your review.",
        "Redesign one people programme this half-year with the managers who use it, and present "
        "uptake and feedback at the next review.")),
    _c("law-and-regulation", "Law and regulation", CRAFT, "2.C.8.b", "",
       "law legal regulat complian contract statut legislat government court policy",
       "Knowing the laws, regulations and contracts that apply to the work.",
       "regulatory compliance",
       ("Follows the legal and regulatory checklists for their work and flags anything unusual.",
        "Applies the relevant rules to their own cases alone and cites the rule in their notes.",
        "Interprets unclear or conflicting rules for a workstream and writes guidance others "
        "follow.",
        "Advises leaders on legal and regulatory risk and sets the team's position on grey areas.",
        "Sets the company's approach to legal and regulatory risk with executives and outside "
        "counsel."),
       ("Walk a senior colleague through how you applied the rules on two recent cases this month, "
        "and bring their corrections to your 1:1.",
        "Write one piece of guidance on a rule your team applies often this quarter, have it "
        "reviewed, and bring it and its uptake to your review.",
        "Brief the leadership team on one emerging legal or regulatory change this half-year with "
        "a "
        "recommended response, and report what was decided at the next review.")),
    _c("security", "Security and safety", CRAFT, "2.C.8.a", "",
       "secur safety threat access protect emergency risk incident vulnerab",
       "Protecting people, data and property with security and safety measures.",
       "security and safety",
       ("Follows the security and safety procedures for their work and reports incidents "
        "straight away.",
        "Applies security and safety controls to their own systems or areas and fixes gaps they "
        "find.",
        "Assesses risks for a workstream and puts the controls in place, including for unusual "
        "threats.",
        "Sets the team's security and safety standards and leads the response to serious "
        "incidents.",
        "Sets the company's security and safety strategy and reports risk to executives and the "
        "board."),
       ("Complete the security or safety walkthrough for your area with a senior colleague this "
        "month, and bring the issues found and fixed to your 1:1.",
        "Run a risk assessment for one system or area you own this quarter, close the top two "
        "gaps, "
        "and bring the assessment to your review.",
        "Run one incident exercise for the team this half-year, fix what it exposes, and present "
        "the lessons at the next review.")),
    _c("networks", "Networks and telecommunications", CRAFT, "2.C.9.a", "",
       "network telecommunicat connectivity bandwidth router server phone wireless",
       "Knowing how networks and communication systems are set up, run and secured.",
       "network reliability",
       ("Carries out standard network and phone changes from documented procedures, with review.",
        "Configures and troubleshoots network connections for users and sites alone.",
        "Designs network changes for a workstream, including capacity and failover.",
        "Sets the team's network architecture and standards.",
        "Sets the company's multi-year network and communications strategy with executives."),
       ("Make your next three network changes with a senior colleague reviewing them this month; "
        "bring the change notes to your 1:1.",
        "Design and carry out one network change this quarter with a tested rollback, and bring "
        "the "
        "plan and result to your review.",
        "Write the team's network standard for one area this half-year, move two sites or systems "
        "onto it, and report the result at the next review.")),
    _c("media", "Media and content", CRAFT, "2.C.9.b", "",
       "media press content campaign publicat article social advertis story news broadcast",
       "Producing and placing content across media and channels.", "content quality",
       ("Produces content from an agreed brief and style guide, with an editor reviewing it.",
        "Plans and produces content for a channel alone and tracks how it performs.",
        "Runs the content plan for a campaign or channel and adapts it from the results.",
        "Sets the team's editorial standards and channel mix.",
        "Sets the company's voice and media strategy for years ahead and represents it "
        "externally."),
       ("Produce two pieces from a brief this month with an editor reviewing each draft, and bring "
        "the drafts and comments to your 1:1.",
        "Run content for one channel this quarter and bring its performance figures and what you "
        "changed because of them to your review.",
        "Write or update the team's editorial guide this half-year, and show the change in review "
        "rounds or results at the next review.")),
    _c("finance", "Finance and accounting", BUSINESS, "2.C.1.c", "",
       "financ account budget cost invoice payment revenue tax audit billing ledger expens",
       "Knowing financial and accounting principles, reports and controls.", "financial discipline",
       ("Processes financial transactions and records accurately, with a colleague checking them.",
        "Prepares financial records, reconciliations or reports for their own area alone.",
        "Explains the financial picture of a workstream and spots errors and risks before they "
        "grow.",
        "Sets the team's financial controls and advises leaders on the financial effect of "
        "decisions.",
        "Sets the company's financial strategy and reporting with executives and the board."),
       ("Have a senior colleague check your next month-end or reconciliation, and bring the "
        "corrections and what you learned to your 1:1.",
        "Own one financial report or close task this quarter and bring its accuracy and timeliness "
        "to your review.",
        "Review one financial control with the team this half-year, fix its gaps, and present the "
        "result at the next review.")),
    # --- Problem solving ---------------------------------------------------------------------
    _c("critical-thinking", "Critical thinking", PROBLEM_SOLVING, "2.A.2.a", "1.C.7.b",
       "evaluat assess analy review determin investigat compar examin",
       "Using logic and evidence to judge the strengths and weaknesses of options.",
       "critical thinking",
       ("Checks their conclusions against the facts they have and says plainly what they are "
        "unsure of.",
        "Weighs two or more options before choosing and says why the others were rejected.",
        "Finds the weak points in a proposal, including their own, before it goes ahead, and "
        "offers better options.",
        "Tests the reasoning behind the team's biggest decisions and changes course when the "
        "evidence says so.",
        "Challenges the company's assumptions with evidence and changes multi-year plans as a "
        "result."),
       ("Before your next two recommendations this month, write the options you rejected and why, "
        "and go through them with a senior colleague in your 1:1.",
        "Write a short options paper for one decision in your area this quarter, have a peer argue "
        "against it, and bring the final paper to your review.",
        "Run a review of one major team decision this half-year that tests its assumptions against "
        "results, and present what you would change at the next review.")),
    _c("problem-solving", "Solving complex problems", PROBLEM_SOLVING, "2.B.2.i", "4.A.2.b.1",
       "resolv solv problem issue improv correct",
       "Working out complex problems and putting solutions in place.", "problem solving",
       ("Solves well-defined problems with a known fix, and brings new ones to a colleague with "
        "the facts gathered.",
        "Breaks an unfamiliar problem into parts, tries a fix and checks that it worked.",
        "Solves problems with no known answer across a workstream and stops them coming back.",
        "Takes on problems that span teams, sets the plan to solve them and brings others along.",
        "Picks the company-level problems worth solving in the coming years and sets up the "
        "work to solve them."),
       ("For the next two problems you hit this month, write down the facts and two possible fixes "
        "before asking for help; go through them with a senior colleague in your 1:1.",
        "Take one recurring problem in your area this quarter, find its cause, fix it, and bring "
        "evidence that it stopped recurring to your review.",
        "Lead one cross-team problem to resolution this half-year with a written plan, and present "
        "the outcome and what it cost at the next review.")),
    _c("decision-making", "Judgment and decision-making", PROBLEM_SOLVING, "2.B.4.e", "",
       "decid determin approv recommend select priorit choos",
       "Weighing costs, benefits and risks to choose the best course of action.",
       "decision-making",
       ("Makes day-to-day calls inside clear rules and checks with a colleague when a call falls "
        "outside them.",
        "Decides on their own work by weighing cost, benefit and risk, and escalates the rest "
        "with a recommendation.",
        "Makes calls on incomplete information for a workstream, records the reasoning and "
        "revisits it when facts change.",
        "Makes the calls that set the team's course, including unpopular ones, and explains them.",
        "Makes or shapes multi-year, company-level decisions with executives and owns the "
        "consequences."),
       ("For one month, note each decision you escalate with the option you would have chosen; "
        "compare notes with your manager in your 1:1.",
        "Keep a decision log for your workstream this quarter with reasoning and outcome, and "
        "bring "
        "two decisions you revisited to your review.",
        "Write a decision paper for one team-level trade-off this half-year, take it to "
        "leadership, and bring the outcome and what you learned to your next review.")),
    _c("systems-thinking", "Systems thinking", PROBLEM_SOLVING, "2.B.4.g", "",
       "system process workflow impact procedur operation",
       "Seeing how a system works and how changes will ripple through it.", "systems thinking",
       ("Follows a process end to end and notes where their step affects the next person.",
        "Predicts how a change to their own work will affect the people and systems around it.",
        "Maps how a workstream's processes and systems interact and redesigns the weak links.",
        "Redesigns how the team's processes connect to other teams' so they stop causing each "
        "other problems.",
        "Shapes how the company's processes and systems fit together for years ahead."),
       ("Map the process your work sits in with a senior colleague this month, and bring the map "
        "and one hand-off problem you found to your 1:1.",
        "Map one workstream process end to end this quarter, fix its weakest link, and bring the "
        "before-and-after figures to your review.",
        "Lead a cross-team process redesign this half-year, and present the effect on delays or "
        "errors at the next review.")),
    _c("monitoring-results", "Measuring and improving results", PROBLEM_SOLVING, "2.A.2.d",
       "2.B.4.h",
       "monitor track measur performance metric review report evaluat standard",
       "Tracking how well work is going and acting to improve it.", "results tracking",
       ("Checks their own work against the agreed standard and fixes what falls short before "
        "handing it on.",
        "Tracks the results of their own work with a simple measure and changes approach when it "
        "slips.",
        "Sets measures for a workstream, reviews them regularly and acts on trends, not single "
        "cases.",
        "Owns the team's measures and targets and runs the reviews that lead to changes.",
        "Sets the function's measures of success and reports them to executives with the "
        "actions taken."),
       ("Agree one measure of your own work with your manager this month, track it weekly, and "
        "bring the figures to your next 1:1.",
        "Set up a simple dashboard for your workstream this quarter and bring two changes you made "
        "because of it to your review.",
        "Run a monthly results review for the team this half-year, and present the decisions it "
        "led "
        "to at the next review.")),
    _c("creativity", "Creativity and new ideas", PROBLEM_SOLVING, "1.C.7.a", "4.A.2.b.2",
       "new creat innovat idea concept design develop improv",
       "Coming up with new ideas and better answers to work problems.", "innovation",
       ("Suggests at least one improvement to how their own work is done and tries it with their "
        "lead's agreement.",
        "Tries new approaches in their own work and keeps the ones that measurably help.",
        "Comes up with new ways to solve workstream problems and tests them small before "
        "proposing them.",
        "Runs small experiments with the team each quarter and turns the best ideas into "
        "standard practice.",
        "Brings ideas that change what the function or the company offers, and backs them with "
        "evidence."),
       ("Pick one step in your work this month, try a different way of doing it with your lead's "
        "agreement, and bring the result to your 1:1.",
        "Test one new approach in your workstream this quarter on a small scale, measure it, and "
        "bring the result and your recommendation to your review.",
        "Run a quarterly idea review with the team this half-year, test the top two ideas, and "
        "present which became standard practice at the next review.")),
    # --- Communication & collaboration -------------------------------------------------------
    _c("writing", "Written communication", COMMUNICATION, "2.A.1.c", "2.C.7.a",
       "writ draft report document correspondence manual proposal edit",
       "Writing clearly for the reader and the purpose.", "clear writing",
       ("Writes clear messages and notes from a template or example, with a colleague checking "
        "anything that leaves the team.",
        "Writes documents and messages that readers act on without follow-up questions.",
        "Writes for mixed audiences without review, such as a summary for leaders and detail for "
        "specialists.",
        "Writes the documents that set the team's direction and edits others' writing.",
        "Writes for executives, customers' executives and the whole company on the function's "
        "biggest topics."),
       ("Have a senior colleague edit your next two documents this month, then rewrite one from "
        "their comments; bring both versions to your 1:1.",
        "Write the main document for one project this quarter for two audiences, with a one-page "
        "summary; bring it and the readers' questions to your review.",
        "Write one strategy or policy paper for the team this half-year, circulate it to leaders, "
        "and bring the decisions it led to to the next review.")),
    _c("speaking", "Spoken communication", COMMUNICATION, "2.A.1.d", "4.A.4.a.1",
       "explain present inform communicat speak answer discuss confer brief",
       "Explaining things out loud so that listeners understand and act.", "spoken communication",
       ("Explains their own work clearly in team meetings and answers questions about it.",
        "Presents their work to other teams and adjusts the explanation to the listeners.",
        "Leads meetings and presentations for a workstream, including difficult conversations "
        "with stakeholders.",
        "Presents the team's plans and results to leaders and other teams and handles hard "
        "questions on the spot.",
        "Speaks for the function to executives, customers' executives and the whole company."),
       ("Present your work in the team meeting twice this month and ask one colleague for feedback "
        "each time; bring the feedback to your 1:1.",
        "Lead one stakeholder meeting or presentation for your workstream this quarter with your "
        "manager observing, and discuss their notes at your review.",
        "Present the team's plan or results to the leadership team this half-year, and bring the "
        "questions you were asked and your follow-ups to the next review.")),
    _c("listening", "Listening", COMMUNICATION, "2.A.1.b", "",
       "listen inquir question interview request needs complain consult confer with",
       "Giving full attention to what people say and asking questions to understand it.",
       "listening",
       ("Listens to the whole request, asks questions and plays it back before acting.",
        "Draws out what people need through questions, including what they did not say at first.",
        "Listens for the concerns behind a disagreement and summarises each side fairly.",
        "Makes sure the team hears from quiet voices and other teams before it decides.",
        "Listens to executives, customers and staff across the company and turns what they hear "
        "into priorities."),
       ("In your next five requests this month, play the request back before starting; note where "
        "it changed and bring the notes to your 1:1.",
        "Run three user or stakeholder interviews this quarter, write up what you heard, and bring "
        "the summary and the changes it caused to your review.",
        "Hold listening sessions with two other teams or customer groups this half-year, and "
        "present the priorities you changed because of them at the next review.")),
    _c("social-awareness", "Reading people and situations", COMMUNICATION, "2.B.1.a",
       "1.C.3.b 2.C.4.e",
       "concern complain react relationship sensitiv counsel feedback",
       "Noticing how people react and why, and adjusting to it.", "reading people's reactions",
       ("Notices when a customer or colleague is frustrated and adjusts their tone or asks what "
        "is wrong.",
        "Adapts how they work with each person to the reactions they see, and checks in when "
        "something seems off.",
        "Reads the interests of a group of stakeholders and plans the conversation around them.",
        "Reads how changes will land across teams and plans the message and timing around it.",
        "Anticipates how company-level decisions will land with staff and customers and shapes "
        "them accordingly."),
       ("After two difficult conversations this month, write down what you noticed and what you "
        "changed; go through it with your manager in your 1:1.",
        "Before one stakeholder meeting this quarter, write a short note on each person's "
        "interests "
        "and check it afterwards; bring the note to your review.",
        "Plan the communication of one cross-team change this half-year, collect reactions two "
        "weeks later, and present what you learned at the next review.")),
    _c("coordination", "Coordination", COMMUNICATION, "2.B.1.b", "4.A.4.b.1",
       "coordinat schedul arrang liaise departments units teams partner",
       "Lining up one's work with other people's so that hand-offs happen on time.",
       "coordination",
       ("Keeps the people who depend on their work informed of progress and delays.",
        "Lines up their work with other people's timelines and agrees hand-offs in advance.",
        "Coordinates several people or teams on a workstream so hand-offs happen on time.",
        "Runs the coordination between the team and other teams on shared work and deadlines.",
        "Sets how work is coordinated across the function and fixes the hand-offs that fail."),
       ("For the next month, send a short weekly update to everyone who depends on your work, and "
        "bring their feedback to your 1:1.",
        "Run the hand-offs for one cross-team piece of work this quarter with a shared plan, and "
        "bring the plan and the missed dates to your review.",
        "Set up the coordination routine between your team and two others this half-year, and "
        "present the change in missed hand-offs at the next review.")),
    _c("collaboration", "Collaboration", COMMUNICATION, "1.C.3.a", "1.C.3.c 4.A.4.a.2",
       "collaborat cooperat work with assist team confer with consult with",
       "Working with others constructively and helping the team succeed.", "collaboration",
       ("Helps teammates when asked, shares what they know and acts on feedback.",
        "Offers help before being asked and keeps the commitments they make to teammates.",
        "Works through disagreements with peers directly and keeps the working relationship "
        "intact.",
        "Builds working relationships across teams so that shared problems get solved without "
        "escalation.",
        "Builds partnerships across the company and with outside partners that outlast single "
        "projects."),
       ("Pair with a teammate on one piece of their work this month, and bring what you each "
        "learned "
        "to your 1:1.",
        "Take on one piece of shared work with another team this quarter, ask them for feedback at "
        "the end, and bring it to your review.",
        "Set up a joint goal with another team's lead this half-year, deliver it, and present the "
        "result and the working agreement at the next review.")),
    _c("advising", "Advising others", COMMUNICATION, "4.A.4.b.6", "",
       "advis consult recommend guidance counsel inform management expert",
       "Giving others advice and expert guidance they can act on.", "the quality of advice",
       ("Answers colleagues' questions in their area accurately and says when to ask someone else.",
        "Gives advice in their area that others can act on, with the reasons and the options.",
        "Acts as the go-to adviser for a workstream, including on ambiguous questions, and "
        "follows up on the outcome.",
        "Advises leaders and other teams on decisions in their field and shapes the "
        "recommendation adopted.",
        "Advises executives and customers' executives on the field and its long-term choices."),
       ("Keep a list of the questions you are asked this month and how you answered; review the "
        "hardest three with a senior colleague in your 1:1.",
        "Write one piece of written guidance for a question you are often asked this quarter, and "
        "bring how often it was used to your review.",
        "Advise one leadership decision outside your team this half-year with a written "
        "recommendation, and report what was decided at the next review.")),
    _c("teaching-others", "Teaching and training", COMMUNICATION, "2.B.1.e",
       "2.C.6 2.A.2.c 4.A.4.b.3",
       "train teach instruct orientation educat demonstrat course workshop learn",
       "Teaching others how to do something, and designing training that works.",
       "training",
       ("Shows a new colleague how to do a routine task from their own work, step by step.",
        "Teaches colleagues or users to use tools and processes they know well and checks they "
        "can do it.",
        "Designs and runs training sessions for a workstream and updates them from feedback.",
        "Builds the team's onboarding and training and measures whether it works.",
        "Sets the function's approach to building skills and trains leaders across the company."),
       ("Teach one routine task to a newer colleague this month, then watch them do it; bring what "
        "you would explain differently to your 1:1.",
        "Design and run one training session this quarter, collect feedback and a short test, and "
        "bring the results to your review.",
        "Rebuild one part of the team's onboarding this half-year, and present the change in "
        "time-to-productivity at the next review.")),
    # --- Customer & business impact ----------------------------------------------------------
    _c("customer-service", "Customer service", BUSINESS, "2.C.1.e", "2.B.1.f 4.A.4.a.8",
       "customer client service complain inquir user caller account satisf",
       "Finding out what customers need and meeting it, to a standard they notice.",
       "customer service",
       ("Answers customers using the agreed process and hands off anything outside it with full "
        "notes.",
        "Resolves customers' requests alone from first contact to close and follows up to check "
        "the result.",
        "Handles difficult or high-value customers and changes the process when it keeps failing "
        "them.",
        "Sets the team's service standards and uses customer feedback to change them.",
        "Sets the company's service strategy with executives and represents it to customers' "
        "executives."),
       ("Listen to three customer conversations led by a senior colleague this month, then lead "
        "three with them listening; bring their notes to your 1:1.",
        "Own one difficult or high-value customer case this quarter from start to close, and bring "
        "the customer's feedback and the fix you made to the process to your review.",
        "Review customer feedback with the team each month this half-year, change one service "
        "standard because of it, and present the effect at the next review.")),
    _c("sales-and-marketing", "Sales and marketing", BUSINESS, "2.C.1.d", "4.A.4.a.6",
       "sale sell market promot pricing campaign prospect product advertis lead quota",
       "Knowing how to show, promote and sell products and services.", "commercial focus",
       ("Uses the approved messages and materials when talking about products and records each "
        "lead or opportunity.",
        "Runs their own pipeline or campaign from first contact to result and reports it "
        "accurately.",
        "Shapes the positioning, offers or campaigns for a segment and tests what works.",
        "Sets the team's go-to-market approach and targets and reviews results against them.",
        "Sets the company's multi-year market strategy with executives."),
       ("Shadow two customer or prospect meetings with a senior colleague this month, then lead "
        "one "
        "with them observing; bring their notes to your 1:1.",
        "Own a pipeline, segment or campaign target this quarter, and bring your results and what "
        "you changed mid-quarter to your review.",
        "Test one new offer, message or channel this half-year against the current one, and "
        "present the result and recommendation at the next review.")),
    _c("persuasion", "Persuasion and influence", BUSINESS, "2.B.1.c", "4.A.4.a.6",
       "persuad convinc sell influenc promot solicit recommend propos",
       "Persuading others to change their minds or their behaviour.", "influence",
       ("Makes a clear case for their own requests, with facts, and accepts the answer.",
        "Wins agreement from peers and customers for their proposals by answering objections.",
        "Changes stakeholders' minds on contested questions without relying on authority.",
        "Builds support across teams and with leaders for the team's proposals.",
        "Moves executives and customers' executives to commit to multi-year changes."),
       ("Write down the case for your next request this month, with the likely objections, and go "
        "through it with a senior colleague before you make it; bring the outcome to your 1:1.",
        "Win agreement for one proposal that others first opposed this quarter, and bring the "
        "objections and how you answered them to your review.",
        "Build support for one cross-team proposal this half-year, and present who changed their "
        "position and why at the next review.")),
    _c("negotiation", "Negotiation", BUSINESS, "2.B.1.d", "4.A.4.a.7",
       "negotiat contract terms agreement dispute conflict pric renew",
       "Bringing people together and reaching agreements both sides accept.", "negotiation",
       ("Prepares the facts for negotiations led by others and handles simple requests inside "
        "set limits.",
        "Negotiates routine agreements alone within agreed limits, with their walk-away point "
        "written down first.",
        "Negotiates non-standard agreements and disputes, finding terms both sides accept.",
        "Leads the team's most important negotiations and sets the limits others negotiate within.",
        "Negotiates the company's largest agreements and partnerships with executives on the "
        "other side."),
       ("Shadow two negotiations led by a senior colleague this quarter, then lead one with them "
        "observing; bring your preparation notes to your 1:1.",
        "Lead one non-standard negotiation this quarter with a written plan and walk-away point, "
        "and bring the plan and the outcome to your review.",
        "Write the team's negotiation limits for one kind of agreement this half-year, coach two "
        "colleagues on them, and report the results at the next review.")),
    _c("relationship-building", "Building relationships", BUSINESS, "4.A.4.a.4", "4.A.4.a.3",
       "relationship client contact rapport partner network stakeholder",
       "Building and keeping working relationships that get things done.", "relationship building",
       ("Keeps regular, reliable contact with the people they work with and follows up on every "
        "promise.",
        "Builds working relationships with their own contacts so that they hear about problems "
        "early.",
        "Keeps relationships with senior contacts across a set of accounts or teams and uses "
        "them to unblock work.",
        "Builds relationships with leaders in other teams or customer organisations that the "
        "team's work depends on.",
        "Builds relationships with executives inside and outside the company that open new "
        "opportunities."),
       ("List the ten people your work depends on and agree a contact rhythm with each this month; "
        "review the list with your manager in your 1:1.",
        "Build a relationship with one senior contact you do not yet know this quarter, and bring "
        "one problem it helped you solve to your review.",
        "Map the executive relationships your team's work depends on this half-year, close the two "
        "biggest gaps, and report the result at the next review.")),
    _c("business-planning", "Business planning", BUSINESS, "2.C.1.a", "4.A.2.b.4",
       "plan strateg objective goal policy budget operation program priorit business",
       "Setting goals and plans, and using people and money to reach them.",
       "planning against goals",
       ("Connects their own tasks to the team's goals and says which goal each one serves.",
        "Plans their own work against the team's quarterly goals and reports progress against "
        "them.",
        "Writes the plan and goals for a workstream, with resources and milestones, and keeps it "
        "current.",
        "Sets the team's quarterly goals and plan and trades off scope, time and people to meet "
        "them.",
        "Sets the function's yearly and multi-year plan with executives and links it to company "
        "goals."),
       ("Map your current work to the team's goals with your manager this month, and drop or "
        "defer one task that serves none of them; bring the mapped list to your next 1:1.",
        "Write the plan for one workstream this quarter with goals, resources and milestones, and "
        "bring the plan versus actual to your review.",
        "Draft the team's plan for the next half-year with its trade-offs, review it with "
        "leadership, and report progress against it at the next review.")),
    _c("budget-management", "Budgets and spending", BUSINESS, "2.B.5.b", "",
       "budget cost spend expenditure funds purchas price",
       "Deciding how money is spent to get the work done, and accounting for it.",
       "spending discipline",
       ("Spends within the limits they are given and records every expense correctly.",
        "Manages the budget for their own projects and reports spend against it.",
        "Builds and manages the budget for a workstream and flags overruns early.",
        "Sets the team's budget and decides the trade-offs when costs change.",
        "Sets the function's yearly budget with executives and accounts for the return on it."),
       ("Track the spend on your current work against its budget this month with your manager, "
        "and bring the figures to your 1:1.",
        "Build the budget for one project this quarter, track it monthly, and bring the budget "
        "versus actual to your review.",
        "Prepare the team's budget proposal this half-year with options at two spending levels, "
        "and report the approved plan at the next review.")),
    _c("resources", "Equipment, space and supplies", BUSINESS, "2.B.5.c", "",
       "supplies equipment inventory space vendor purchas facilit maintenance order",
       "Getting and looking after the equipment, space and materials the work needs.",
       "resource planning",
       ("Orders and tracks supplies and equipment from the approved lists and vendors.",
        "Manages the equipment, space or supplies for their own area and fixes shortages before "
        "they bite.",
        "Plans equipment, space or supplies for a workstream and manages the vendors involved.",
        "Sets the team's standards and vendors for equipment, space and supplies.",
        "Sets the company's multi-year plan for space, equipment and major vendors with "
        "executives."),
       ("Take over one supply or equipment process this month with a senior colleague checking "
        "it, and bring the order log to your 1:1.",
        "Run one vendor or space project this quarter, and bring the cost, timing and user "
        "feedback to your review.",
        "Review the team's main vendors this half-year, renegotiate or replace one, and report the "
        "saving or service change at the next review.")),
    # --- Working style -----------------------------------------------------------------------
    _c("reliability", "Reliability and follow-through", WORKING_STYLE, "1.C.5.a",
       "1.C.1.a 1.C.1.b",
       "deadline ensure maintain complet follow schedul timel",
       "Doing what one commits to, on time, and finishing the job.", "follow-through",
       ("Finishes assigned work by the agreed date, or says early that it will slip and why.",
        "Meets their own commitments on small projects without reminders, including the dull "
        "parts.",
        "Delivers a workstream's commitments through setbacks and resets expectations early when "
        "plans change.",
        "Makes commitments for the team that it keeps, and holds others to theirs.",
        "Makes and keeps the function's commitments to executives and customers over years."),
       ("Keep a list of every commitment you make this month with its date, and review the missed "
        "ones and why with your manager in your 1:1.",
        "Deliver one workstream commitment this quarter through at least one setback, and bring "
        "your early-warning updates to your review.",
        "Publish the team's commitments for the half-year with owners and dates, and report the "
        "hit rate and the reasons for misses at the next review.")),
    _c("initiative", "Initiative and self-direction", WORKING_STYLE, "1.C.1.c", "1.C.6",
       "develop propos identif initiat new improv recommend",
       "Taking on responsibilities and challenges without being asked.", "initiative",
       ("Starts on the next task without waiting to be told and asks when unsure what comes next.",
        "Picks up problems in their own area and fixes them without being asked.",
        "Spots gaps in a workstream, proposes the work to close them and drives it to done.",
        "Starts work the team needs that no one has asked for and finds the people to do it.",
        "Starts company-level initiatives and secures the people and money to deliver them."),
       ("Fix one problem in your own area this month that nobody assigned to you, and tell your "
        "manager about it in your 1:1.",
        "Propose and deliver one improvement to your workstream this quarter, and bring the result "
        "to your review.",
        "Start one initiative beyond the team's plan this half-year, secure the people for it, "
        "and present the outcome at the next review.")),
    _c("attention-to-detail", "Attention to detail", WORKING_STYLE, "1.C.5.b", "",
       "accura verif check review correct error detail proofread ensur precis",
       "Being careful and thorough, so that work is right the first time.", "accuracy",
       ("Checks their own work against a checklist before handing it on, so few errors reach "
        "others.",
        "Catches errors in their own and others' work before it leaves the team.",
        "Builds checks into the workstream's processes so errors are caught without relying on "
        "memory.",
        "Sets the team's accuracy standards and reviews the work where an error would cost most.",
        "Sets the controls the function relies on for accuracy and reports on them to executives."),
       ("Write a checklist for your most common piece of work this month, use it every time, and "
        "bring the error count before and after to your 1:1.",
        "Add one automatic or peer check to a workstream process this quarter, and bring the "
        "errors it caught to your review.",
        "Identify the team's three costliest errors this half-year, put controls on them, and "
        "report the result at the next review.")),
    _c("integrity", "Integrity and discretion", WORKING_STYLE, "1.C.5.c", "",
       "confidential ethic complian regulat law honest privacy",
       "Being honest and ethical, and keeping confidential information safe.", "integrity",
       ("Follows company policy, keeps confidential information private and reports their own "
        "mistakes straight away.",
        "Gives people bad news promptly and accurately, including about their own work.",
        "Raises ethical or compliance concerns in their workstream, even when it slows the work "
        "down.",
        "Sets the example for the team on honesty and confidentiality and acts on concerns "
        "raised to them.",
        "Sets the function's ethical standards and upholds them with executives, customers and "
        "regulators."),
       ("Go through the confidentiality and conduct policies that apply to your work with your "
        "manager this month, and bring one situation you would now handle differently to your 1:1.",
        "Raise one process risk or ethical concern in your workstream this quarter with a proposed "
        "fix, and bring the outcome to your review.",
        "Review how the team handles confidential information this half-year, close the gaps, and "
        "report what changed at the next review.")),
    _c("composure", "Composure under pressure", WORKING_STYLE, "1.C.4.b", "1.C.4.a",
       "complain dispute escalat urgent emergency difficult deadline pressure",
       "Staying calm and effective under pressure and criticism.", "composure under pressure",
       ("Stays polite and follows the process with upset people, and asks for help when a "
        "situation escalates.",
        "Handles tense calls, meetings and deadlines without passing the stress on to others.",
        "Stays calm in escalations for a workstream and answers critical feedback without "
        "getting defensive.",
        "Keeps the team focused in incidents or crunch periods and takes the heat from "
        "escalations.",
        "Stays steady in company-level crises and in front of executives, customers and the "
        "press."),
       ("After each tense situation this month, note what happened and how you responded, and go "
        "through two of them with your manager in your 1:1.",
        "Take the lead on two escalations this quarter with a senior colleague as back-up, and "
        "bring what you would repeat and change to your review.",
        "Run the team's response to one crunch period or incident this half-year, and present the "
        "outcome and the team's feedback at the next review.")),
    _c("adaptability", "Adaptability", WORKING_STYLE, "1.C.4.c", "",
       "chang new updat adapt revis modif adjust",
       "Adjusting quickly and well when priorities, tools or plans change.", "adaptability",
       ("Switches tasks or tools when priorities change and asks what matters most.",
        "Adjusts their own plans quickly when priorities or tools change, without losing work in "
        "progress.",
        "Reworks a workstream's plan when conditions change and helps peers through the change.",
        "Leads the team through changes in direction, tools or structure while keeping the work "
        "moving.",
        "Reshapes the function when the market or company strategy changes and leads others "
        "through it."),
       ("Volunteer for one new tool or task this month, learn it with a colleague's help, and "
        "bring what you found hardest to your 1:1.",
        "Replan your workstream after one change in priorities this quarter within a week, and "
        "bring the old and new plans to your review.",
        "Lead the team through one change in tools, process or structure this half-year, and "
        "present the adoption results at the next review.")),
    _c("planning", "Time and priorities", WORKING_STYLE, "2.B.5.a", "4.A.2.b.6 4.A.2.b.5",
       "schedul plan priorit deadline organiz calendar time",
       "Managing one's own time, and other people's, against what matters most.",
       "prioritisation",
       ("Plans their own day and week around agreed deadlines and says early when something will "
        "not fit.",
        "Plans their own work and small projects and re-prioritises without help when new "
        "requests arrive.",
        "Plans and schedules the work of several people on a workstream and protects time for "
        "what matters most.",
        "Sets the team's priorities each quarter and says no to work that does not fit.",
        "Sets the function's priorities for the year ahead and reshapes them with executives "
        "when the company changes."),
       ("Plan each week on Monday for the next month and compare plan with actual on Friday; bring "
        "the four comparisons to your 1:1.",
        "Plan one multi-person piece of work this quarter with a schedule everyone can see, and "
        "bring the schedule versus actual to your review.",
        "Run the team's quarterly prioritisation this half-year, publish what was dropped and why, "
        "and report how the plan held at the next review.")),
    _c("learning", "Learning and staying current", WORKING_STYLE, "2.A.2.b", "2.A.1.a 4.A.2.b.3",
       "keep informed current research learn updat study read trend",
       "Picking up new knowledge and using it in the work.", "learning",
       ("Learns the team's tools and processes and asks questions to fill the gaps.",
        "Keeps up with changes in their field and applies them to their own work.",
        "Studies new methods in their field and brings the useful ones to the workstream with "
        "evidence.",
        "Decides which new practices the team adopts and makes time for the team to learn them.",
        "Tracks where the field is going over the coming years and prepares the function for it."),
       ("Pick one skill gap with your manager this month, learn it from a course or a colleague, "
        "and show how you used it at your next 1:1.",
        "Study one new method in your field this quarter, try it in your work, and share the "
        "result with the team; bring the write-up to your review.",
        "Write a short outlook on where your field is going for the leadership team this "
        "half-year, and report the changes adopted at the next review.")),
    # --- People leadership (Manager track only) ----------------------------------------------
    _c("coaching", "Coaching and developing people", PEOPLE_LEADERSHIP, "4.A.4.b.5", "2.A.2.c",
       "coach develop train instruct mentor guidance career",
       "Helping each person grow: feedback, stretch work and development plans; building the "
       "next managers.", "coaching",
       ("Holds regular 1:1s with each team member, gives specific feedback within days and "
        "agrees one development goal with each.",
        "Agrees a development plan with each report, gives them stretch work and reviews "
        "progress every quarter.",
        "Coaches the managers who report to them to develop their own people, and grows the next "
        "managers in {function}.",
        "Builds the leadership bench for {function}, including successors for their own role "
        "and their directors'."),
       ("Agree one development goal with each report this month, review it in every 1:1 for a "
        "quarter, and bring the progress notes to your own 1:1 with your manager.",
        "Pick one future manager in your organisation this half-year, give them a stretch "
        "assignment with coaching, and present their progress at the next review.")),
    _c("hiring", "Hiring and team design", PEOPLE_LEADERSHIP, "4.A.4.c.2", "2.C.1.f",
       "recruit hire interview select staffing applicant candidate employ",
       "Defining roles, hiring well and shaping how teams are organised.", "hiring",
       ("Interviews candidates for the team against agreed criteria and helps new hires through "
        "their first weeks.",
        "Owns hiring for the team: defines roles, runs a structured interview process and "
        "decides who to hire.",
        "Designs the structure of several teams, plans headcount a year ahead and hires the "
        "managers to lead them.",
        "Sets the organisation and multi-year headcount plan for {function} with the executive "
        "team."),
       ("Write the scorecard for your next open role with your recruiter this month, interview "
        "against it, and bring the scorecards to your 1:1 with your manager.",
        "Write the organisation and headcount plan for your area for the next year this "
        "half-year, review it with leadership, and report hiring against it at the next review.")),
    _c("performance-management", "Goals, feedback and performance", PEOPLE_LEADERSHIP, "2.B.5.d",
       "4.A.4.b.4 1.C.2.b",
       "performance evaluat goal feedback direct supervis assign discipline appraisal",
       "Setting clear goals, giving honest feedback and handling performance, good and poor.",
       "performance management",
       ("Sets clear weekly goals for each person on the team and raises performance problems "
        "early, with examples.",
        "Sets each report's goals, writes their reviews and holds performance conversations, "
        "including hard ones, with evidence.",
        "Makes sure their managers set goals and handle performance consistently, and calibrates "
        "ratings across teams.",
        "Sets how {function} measures and rewards performance and makes the final call on "
        "senior performance cases."),
       ("Write quarterly goals with each report this month, give written feedback on one of them "
        "within a week of the work, and bring both to your 1:1 with your manager.",
        "Run a calibration of ratings across your managers this half-year, document the changes, "
        "and present the consistency checks at the next review.")),
    _c("team-building", "Team health and ways of working", PEOPLE_LEADERSHIP, "4.A.4.b.2",
       "1.C.2.b",
       "team cooperat conflict morale culture meeting coordinat",
       "Building trust, clear ways of working and a team people want to stay in.", "team health",
       ("Runs the team's planning and retrospectives so everyone knows the plan and raises "
        "problems early.",
        "Builds trust and clear ways of working in the team and resolves conflicts between team "
        "members.",
        "Builds shared ways of working across several teams and fixes the friction between them.",
        "Shapes the culture of {function} and how it works with the rest of the company, with "
        "the executive team."),
       ("Run a retrospective with your team this month, agree two changes, and bring the team's "
        "follow-up feedback to your 1:1 with your manager six weeks later.",
        "Run an engagement or ways-of-working review across your teams this half-year, act on "
        "the top two findings, and present the results at the next review.")),
)
# fmt: on

BY_ID: dict[str, CompetencyDef] = {c.competency_id: c for c in LIBRARY}


# --- stages: where a level sits on its track ------------------------------------------------

# Matched against the settings' scope + autonomy text, highest stage first, so a company that
# rewrites its levels keeps statements that fit them. Levels no keyword matches fall back to
# their position on the track.
_IC_STAGE_WORDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (4, ("company", "whole function", "multi-year", "executive", "organisation-wide")),
    (3, ("team's", "cross-team", "sets direction", "a team")),
    (2, ("workstream", "ambiguous", "guides peers", "set of accounts", "several")),
    (1, ("end to end", "independently", "small project")),
    (0, ("guidance", "defined by others", "review", "supervision")),
)
_MANAGER_STAGE_WORDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (3, ("company", "executive", "leadership team", "multi-year")),
    (2, ("several teams", "other managers", "builds managers", "whole function", "function's")),
    (0, ("small team", "day-to-day", "team lead")),
    (1, ("hiring", "performance", "team design", "quarterly", "goals")),
)


def level_stages(levels: Sequence[LevelSpec], track: str) -> list[int]:
    """The stage of each level of one track, strictly rising where the stages allow it."""
    top = (IC_STAGES if track == TRACK_IC else MANAGER_STAGES) - 1
    words = _IC_STAGE_WORDS if track == TRACK_IC else _MANAGER_STAGE_WORDS
    count = len(levels)
    stages: list[int] = []
    for index, level in enumerate(levels):
        text = f"{level.scope} {level.autonomy}".casefold()
        found = next((stage for stage, keys in words if any(k in text for k in keys)), None)
        position = round(index * top / (count - 1)) if count > 1 else 0
        stage = position if found is None else found
        if count <= top + 1:
            # strictly rising, leaving room for the levels still to come
            low = stages[-1] + 1 if stages else 0
            stage = min(max(stage, low), top - (count - 1 - index))
        else:
            stage = max(stage, stages[-1] if stages else 0)
        stages.append(stage)
    return stages


# --- tasks: the family-specific "what" -------------------------------------------------------

# Task statements about managing people (from supervisor codes mapped to an IC track) must not
# reach IC statements: the IC track is not a management track.
_PEOPLE_TASK = re.compile(
    r"\bsubordinat|\bsupervis|personnel action|job performance|duty assignments|staffing "
    r"decisions|\bemployees\b|\bhire\b|junior staff|\btrain\w* (?:and \w+ )?other|^direct\b.*\b"
    r"(?:workers|interviewers|staff|personnel)\b",
    re.IGNORECASE,
)
# Verbs that commonly open O*NET tasks but are also nouns: only converted as the opening verb,
# never when they appear after "and"/"or" mid-sentence ("quality and design of ...").
_NOUN_LIKE = _words(
    "design process record report schedule plan test control change contact request review "
    "research support help use purchase order file program budget map document estimate transfer "
    "work network code issue key post store stock mark score call back break quote type load mail "
    "match track vary fabricate direct present complete secure open correct lead act access offer "
    "contract inventory telephone photograph audit study forecast visit measure repair rate"
)
_VERB_AFTER_PLURAL = _words("process report review schedule track document file record use")
_ES_ENDINGS = ("s", "sh", "ch", "x", "z", "o")
_SENIOR_VERBS = _words(
    "plan develop direct establish evaluate recommend formulate design lead negotiate advise "
    "consult determine oversee manage set propose identify assess analyze devise define "
    "conceptualize create initiate approve"
)
_JUNIOR_VERBS = _words(
    "answer record maintain prepare compile enter check process contact file schedule assist "
    "respond keep complete perform collect update mail type key greet receive store stock count "
    "post transmit forward load"
)
_SUCH_AS = re.compile(r",?\s+(?:such as|including|e\.g\.)\s", re.IGNORECASE)
# After "such as" is cut, a sentence ending in a vague phrase ("... in areas", "... to consider
# factors") says nothing: the phrase goes, or, when too little would be left, the first example
# stays ("informs job applicants of details such as duties").
_VAGUE = (
    "activities|issues|areas|events|items|matters|factors|conditions|methods|sources|"
    "techniques|means|things|topics|details|information|tasks|duties|problems|subjects"
)
_VAGUE_TAIL = re.compile(
    r",?\s+(?:by|in|on|regarding|concerning|about|for|of|with|using|related to|pertaining to|"
    rf"to \w+)(?:\s+\w+){{0,2}}\s+(?:{_VAGUE})$",
    re.IGNORECASE,
)
_VAGUE_ENDING = re.compile(rf"\b(?:{_VAGUE})$", re.IGNORECASE)
# Verbs that O*NET uses mid-sentence but never as a task's first word.
EXTRA_VERBS = _words(
    "instruct rewrite convert suggest apply take cancel collect enter issue arrange analyze "
    "identify inform prepare provide review explain recommend resolve evaluate implement maintain "
    "monitor document test update develop define verify assist answer obtain negotiate notify "
    "confer consult select interview recruit schedule process record report build run write read "
    "create deploy support help manage lead direct oversee organize meet set gather solicit "
    "compile present produce publish promote sell buy order purchase track measure calculate "
    "estimate forecast budget approve authorize hire train teach coach mentor assess inspect "
    "audit investigate examine validate ensure repair fix troubleshoot diagnose respond contact "
    "call greet book file edit revise translate draft conduct perform execute integrate configure "
    "install upgrade interpret communicate collaborate participate attend represent determine "
    "decide plan propose establish formulate devise improve modify adjust secure protect "
    "distribute deliver send receive consider clarify design prioritize coordinate encourage "
    "motivate guide erect rate prevent reduce increase avoid allow enable achieve promote attract "
    "retain comply address be"
)
_VERB_SUFFIXES = ("ify", "ize", "ise", "ate")


def _is_verb(word: str, verbs: frozenset[str]) -> bool:
    return word in verbs or word.endswith(_VERB_SUFFIXES)


def _is_gerund(word: str, verbs: frozenset[str]) -> bool:
    """'recording', 'making', 'planning' - not 'engineering' or 'training' as a noun list."""
    if not word.endswith("ing") or len(word) < 6:
        return False
    stem = word[:-3]
    return stem in verbs or stem + "e" in verbs or (stem[-1] == stem[-2] and stem[:-1] in verbs)


@dataclass(frozen=True, slots=True)
class TaskPhrase:
    """A task statement split into words, with the positions of its verbs (base form)."""

    words: tuple[str, ...]
    verbs: frozenset[int]
    core: bool
    seniority: int  # +1 planning/deciding verbs, -1 routine verbs, 0 otherwise
    present: str = ""  # filled by parse_task: the third-person form

    def third_person(self) -> str:
        """'Resolve complaints or answer questions' -> 'resolves complaints and answers ...'."""
        if self.present:
            return self.present
        return " ".join(_third(w) if i in self.verbs else w for i, w in enumerate(self.words))

    def base(self) -> str:
        return " ".join(self.words)


def _third(verb: str) -> str:
    tail = ""
    while verb and not verb[-1].isalpha():
        verb, tail = verb[:-1], verb[-1] + tail
    lower = verb.casefold()
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return verb[:-1] + "ies" + tail
    if lower.endswith(_ES_ENDINGS):
        return verb + "es" + tail
    return verb + "s" + tail


def _clean(word: str) -> str:
    return word.strip(",;:.").casefold()


@functools.lru_cache(maxsize=8192)  # families share codes, and tests build many ladders
def parse_task(text: str, verbs: frozenset[str], *, core: bool = True) -> TaskPhrase | None:
    """Shorten a task statement and mark its verbs, or None when it cannot be used.

    O*NET's "or"-lists of verbs ("Design, implement, or evaluate ...") become "and"-lists: a
    ladder describes what the person does, and "designs, implements and evaluates" reads as
    the job, where "or" reads as a menu. Lists of nouns keep their "or".
    """
    verbs = verbs | EXTRA_VERBS
    text = re.sub(r"\s*\([^)]*\)", "", text.strip()).rstrip(".")
    text = re.sub(r"\band/or\b", "and", text.split(";")[0])
    if match := _SUCH_AS.search(text):
        head, examples = text[: match.start()], text[match.end() :]
        if _VAGUE_ENDING.search(head):
            trimmed = _VAGUE_TAIL.sub("", head)
            tail = head[len(trimmed) :].lstrip(", ")
            if trimmed != head and len(trimmed.split()) >= 3 and not tail.startswith("of "):
                head = trimmed
            else:
                first_example = re.split(r",|\s(?:or|and)\s", examples)[0]
                head = f"{head} such as {first_example}"
        text = head
    words = text.split()
    if len(words) < 3 or _clean(words[0]) not in verbs:
        return None
    words[0] = words[0][0].lower() + words[0][1:]
    marked = {0}
    # the opening verb list: "Write, update, and maintain ...", "Plan and run ..."
    i = 0
    while i + 1 < len(words):
        nxt = _clean(words[i + 1])
        if words[i].endswith(",") and _is_verb(nxt, verbs):
            marked.add(i + 1)
            i += 1
            continue
        if nxt in ("and", "or") and i + 2 < len(words) and _clean(words[i + 2]) in verbs:
            words[i + 1] = "and"
            words[i] = words[i].rstrip(",")  # no Oxford comma in our own lists
            marked.add(i + 2)
            i += 2
        break
    opening_end = i
    # Later verbs: "Resolve complaints or answer questions" -> "... and answers questions";
    # "Determine charges, collect deposits, or arrange billing" -> "..., collects ..., and ...".
    # Verbs after an infinitive "to" stay as they are ("to define and resolve problems").
    for j in range(opening_end + 1, len(words)):
        word = _clean(words[j])
        previous = _clean(words[j - 1])
        if previous == "to" and _is_verb(word, verbs):
            break  # "to clarify intent, identify problems" keeps its infinitives
        if word not in verbs:
            continue
        after_conjunction = previous in ("and", "or")
        if after_conjunction and word in _NOUN_LIKE:
            # "employees and process paperwork" is a verb; "quality and design of" is not
            plural_before = j >= 2 and words[j - 2].rstrip(",").endswith("s")
            # "..., prepare records, or issue orders": the last item of a series of verbs
            in_verb_series = words[j - 2].endswith(",") and any(opening_end < k < j for k in marked)
            if not (plural_before and word in _VERB_AFTER_PLURAL) and not in_verb_series:
                continue
        elif not after_conjunction and not (words[j - 1].endswith(",") and word not in _NOUN_LIKE):
            continue
        if after_conjunction:
            words[j - 1] = "and"
            words[j - 2] = words[j - 2].rstrip(",")
        marked.add(j)
    kept, marked = _shorten(words, marked, opening_end, verbs)
    first = _clean(kept[0])
    seniority = 1 if first in _SENIOR_VERBS else -1 if first in _JUNIOR_VERBS else 0
    present = " ".join(_third(w) if i in marked else w for i, w in enumerate(kept))
    return TaskPhrase(tuple(kept), frozenset(marked), core, seniority, present)


_MAX_TASK_CHARS = 120
_CUT_BEFORE = frozenset({"by", "using", "through", "so"})
_NO_ENDING = frozenset({"and", "or", "to", "the", "a", "an", "of", "for", "with", "in", "on"})


def _shorten(
    words: list[str], marked: set[int], opening_end: int, verbs: frozenset[str]
) -> tuple[list[str], set[int]]:
    """Cut a long task where a clause ends, so the statement stays readable.

    In order of preference: before its last purpose or means clause that fits ("to ensure
    ...", "by ...", ", recording ..."), before a second verb ("... and prepares ..."), at the
    first comma after 30 characters (dropping a list rather than cutting it in half); a task
    with none of these is kept whole.
    """
    if len(" ".join(words)) <= _MAX_TASK_CHARS:
        return words, marked
    clause = verb = comma = 0
    length = -1
    for i, word in enumerate(words):
        length += len(word) + 1
        if length > _MAX_TASK_CHARS:
            break
        if i <= opening_end or i + 1 >= len(words):
            continue
        following = _clean(words[i + 1])
        infinitive = (
            following == "to" and i + 2 < len(words) and _is_verb(_clean(words[i + 2]), verbs)
        )
        if (
            infinitive
            or following in _CUT_BEFORE
            or (word.endswith(",") and _is_gerund(following, verbs))
        ):
            clause = i + 1
        if following == "and" and (i + 2) in marked:
            verb = i + 1
        if word.endswith(",") and not comma and length >= 30:
            comma = i + 1
    cut = clause or verb or comma or len(words)
    kept = list(words[:cut])
    while len(kept) > opening_end + 2 and _clean(kept[-1]) in _NO_ENDING:
        kept.pop()
    kept[-1] = kept[-1].rstrip(",;:")
    return kept, {i for i in marked if i < len(kept)}


def is_people_task(text: str) -> bool:
    return bool(_PEOPLE_TASK.search(text))


@dataclass(frozen=True, slots=True)
class TaskCandidate:
    """A task of the track's codes, with what links it to competencies."""

    phrase: TaskPhrase
    text: str  # lower-cased original: identifies the task when spreading tasks over rows
    activities: frozenset[str]

    @property
    def stems(self) -> frozenset[str]:
        return _stems(self.phrase.base().casefold())


def pick_tasks(
    comp: CompetencyDef,
    candidates: Sequence[TaskCandidate],
    skill_activities: Iterable[str],
    family_words: frozenset[str],
    used: dict[str, int],
) -> list[TaskPhrase]:
    """Up to two tasks for a competency: a hands-on one for lower stages, a shaping one above.

    Tasks are scored by their link to the competency (its own GWAs, then the O*NET skill-to-
    activity links, then keywords), Core over Supplemental, words of the family's description,
    and how often the family already used the task (so ten rows do not repeat one task).
    """
    own = {comp.element_id, *comp.supports}
    broad = set(skill_activities)
    scored: list[tuple[float, str, TaskPhrase]] = []
    for cand in candidates:
        # keywords count only in the words the statement will show, not in a cut "such as"
        shown = cand.phrase.base().casefold()
        link = 3.0 * bool(cand.activities & own) + min(2, _keyword_hits(comp, shown)) * 1.5
        if link == 0:
            continue
        link += 0.5 * bool(cand.activities & broad)
        score = link + 0.5 * cand.phrase.core + min(2, len(cand.stems & family_words))
        score -= 4.0 * used.get(cand.text, 0)
        scored.append((score, cand.text, cand.phrase))
    scored.sort(key=lambda s: (-s[0], s[1]))
    if not scored:
        return []
    best = scored[0]
    # the second task leans the other way on seniority, so upper stages read as shaping work
    others = [s for s in scored[1:4] if s[2].seniority != best[2].seniority] or scored[1:2]
    chosen = [best] + ([others[0]] if others else [])
    for _, text, _ in chosen:
        used[text] = used.get(text, 0) + 1
    phrases = sorted((s[2] for s in chosen), key=lambda p: p.seniority)
    return phrases


_PATTERNS: dict[str, re.Pattern[str]] = {}
_HITS: dict[tuple[str, str], int] = {}  # (competency, task text) -> distinct keywords found


def _keyword_hits(comp: CompetencyDef, text: str) -> int:
    """How many of the competency's keyword stems the task mentions (memoised: families share
    codes, so the same pairs come back many times)."""
    key = (comp.competency_id, text)
    if key not in _HITS:
        pattern = _PATTERNS.get(comp.competency_id)
        if pattern is None:
            stems = sorted(comp.keywords, key=len, reverse=True)  # longest first
            pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in stems) + ")")
            _PATTERNS[comp.competency_id] = pattern
        _HITS[key] = len(set(pattern.findall(text)))
    return _HITS[key]


@functools.lru_cache(maxsize=4096)
def _stems(text: str) -> frozenset[str]:
    """Five-letter stems of a text's words, to match a family's description words."""
    return frozenset(w[:5] for w in re.findall(r"[a-z]{4,}", text))


# --- statements ------------------------------------------------------------------------------

MAX_STATEMENT_CHARS = 350  # a cell a manager reads in one go; longer ones lose the frame's tail
# How hard the cases are, from the O*NET level anchor nearest the target LV (2 / 4 / 6).
CASES = ("routine cases", "non-routine cases", "complex, high-stakes cases")
# Per IC stage: the lowest and highest case tier it may name, so "with review" never claims
# high-stakes work and "sets direction" never talks about routine cases.
_STAGE_CASE_RANGE = ((0, 0), (0, 0), (1, 2), (1, 2), (2, 2))


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def ic_statement(
    comp: CompetencyDef, stage: int, tier: int, task: TaskPhrase | None, function: str
) -> str:
    """One IC cell: the family's task framed by the stage, then the competency's behaviour.

    The frame goes around the task, never after it, so it reads the same whatever the task's
    last words are; it carries the step (who reviews, what scope, which cases), so no sentence
    repeats between the levels of a row.
    """
    low, high = _STAGE_CASE_RANGE[stage]
    cases = CASES[min(max(tier, low), high)]
    behaviour = _sentence(comp.stages[stage])
    if task is None:
        return behaviour
    what = task.third_person()
    full, compact = (
        (
            f"on {cases} and with a more experienced colleague reviewing the work, {what}",
            f"with a more experienced colleague reviewing the work, {what}",
        ),
        (
            f"on their own for {cases}, {what}, and asks for help when a case is unusual",
            f"on their own for {cases}, {what}",
        ),
        (
            f"across a workstream and without review, including {cases}, {what}",
            f"across a workstream and without review, {what}",
        ),
        (
            f"decides how the team {what}, and takes on the {cases} that cross teams",
            f"decides how the team {what}",
        ),
        (
            f"sets the multi-year direction for how {function} {what}, and takes the {cases} to "
            "executives",
            f"sets the multi-year direction for how {function} {what}",
        ),
    )[stage]
    statement = f"{_sentence(full)} {behaviour}"
    if len(statement) > MAX_STATEMENT_CHARS:
        statement = f"{_sentence(compact)} {behaviour}"
    return statement


def manager_statement(
    comp: CompetencyDef, stage: int, task: TaskPhrase | None, function: str
) -> str:
    """One Manager-track cell for a non-people competency: the team's work seen from above."""
    practice = comp.practice
    behaviour = _sentence(
        (
            f"coaches the team on {practice} in day-to-day work and reviews it each week",
            f"sets the team's standard for {practice}, gives feedback against it and checks it "
            "each quarter",
            f"builds {practice} into how several teams work, through their managers and the "
            "yearly plan",
            f"makes {practice} a strength of the whole company, with multi-year priorities "
            "agreed with the executive team",
        )[stage]
    )
    if task is None:
        return behaviour
    frame = (
        f"makes sure the team {task.third_person()}",
        f"sets the quarterly priorities for how the team {task.third_person()}",
        f"decides with their managers how several teams {task.base()}",
        f"sets the multi-year direction for how {function} {task.third_person()}",
    )[stage]
    return f"{_sentence(frame)} {behaviour}"


def people_statement(
    comp: CompetencyDef, stage: int, task: TaskPhrase | None, function: str
) -> str:
    """One people-leadership cell: the manager's own work with people."""
    behaviour = _sentence(comp.stages[stage].format(function=function))
    if task is None or stage >= 2:
        return behaviour  # directors and executives work through managers, not the task itself
    frame = ("in their own team, ", "for the whole team, ")[stage]
    return f"{behaviour} {_sentence(frame + task.third_person())}"


def distinct(statements: list[str], levels: Sequence[LevelSpec]) -> list[str]:
    """Make every statement of a row unique, naming the level's scope when two would match.

    Only needed when a company defines more levels than there are stages (e.g. 7 IC levels).
    """
    seen: set[str] = set()
    result = []
    for text, level in zip(statements, levels, strict=True):
        for extra in ("", f" Scope: {level.scope}.", f" Autonomy: {level.autonomy}."):
            candidate = text + extra
            if candidate not in seen:
                break
        else:
            candidate = f"{text} (level {level.code})"
        seen.add(candidate)
        result.append(candidate)
    return result


# --- development actions ---------------------------------------------------------------------


def manager_actions(comp: CompetencyDef) -> tuple[str, str]:
    """Actions for a non-people competency on the Manager track: early and late manager bands."""
    practice = comp.practice
    return (
        f"Pick one place where {practice} falls short in your team this quarter, agree a fix "
        "with the team, and bring before-and-after examples to your 1:1 with your manager.",
        f"Ask each manager reporting to you to set one goal for {practice} in their team this "
        "half-year, review progress monthly, and present the results at the next leadership "
        "review.",
    )


def first_word(task: str) -> str:
    return _clean(task.split()[0]) if task.split() else ""
