"""Deterministic synthetic corpus of interview-prep guides for benchmarking deckbuilder.

The guides imitate the seed guide (source/initiative-proactivity.md) and the fixture
family (tests/fixtures/family/): emoji ``##`` headings, ``### Category`` question lists,
long STAR sample answers, ``✅ **Term**: definition`` themes, a numbered ladder, a
question checklist and a formula framework, ``❌``/``✅ **Better**`` red-flag pairs,
metrics and quoted follow-up questions. Files are written as proper UTF-8 with ``\\n``
line endings.

Every guide is generated from its own ``random.Random(f"{seed}:{index}")``, so guide
*i* is identical whatever ``n_guides`` is (a corpus of 100 is a prefix of a corpus of
1,000), and the same seed always gives byte-identical files.

Usage as a script::

    python bench/corpus.py OUT_DIR N_GUIDES [SEED]
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

__all__ = ["generate", "apply_one_change", "guide_paths", "AREAS"]

# --------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------

AREAS = [
    "behavioral", "leadership", "collaboration", "execution", "communication",
    "growth", "technical-judgment", "customer-focus", "ownership", "culture",
]

TOPIC_HEADS = [
    "Initiative", "Ownership", "Conflict Resolution", "Influence", "Prioritization",
    "Decision Making", "Mentorship", "Resilience", "Adaptability", "Accountability",
    "Collaboration", "Customer Obsession", "Delivering Results", "Bias for Action",
    "Technical Leadership", "Stakeholder Management", "Handling Ambiguity",
    "Learning Agility", "Raising the Bar", "Frugality", "Earning Trust", "Deep Dives",
    "Strategic Thinking", "Incident Leadership", "Feedback", "Negotiation",
]
TOPIC_TAILS = [
    "& Proactivity", "Under Pressure", "Across Teams", "at Scale", "in Ambiguity",
    "Without Authority", "in Startups", "in Large Organizations", "for Senior Roles",
    "in Remote Teams", "During Change", "with Limited Resources", "in Practice",
]

COMPANIES = [
    "a fintech startup", "a mid-size SaaS company", "a logistics platform",
    "a healthcare analytics firm", "an e-commerce marketplace", "a mobile gaming studio",
    "a developer-tools company", "a large retail bank", "a media streaming service",
    "a travel booking site", "an insurance provider", "a food-delivery scale-up",
    "a cybersecurity vendor", "an online education platform", "a ride-sharing company",
    "a B2B payments processor", "a telecom operator", "a public-sector digital agency",
]
ROLES = [
    "senior engineer", "tech lead", "backend engineer", "staff engineer",
    "engineering manager", "data engineer", "site reliability engineer",
    "mobile developer", "full-stack engineer", "platform engineer", "QA lead",
    "product-minded engineer",
]
SYSTEMS = [
    "deployment pipeline", "search service", "payments API", "mobile app",
    "data warehouse", "notification system", "internal admin tool",
    "recommendation engine", "identity service", "reporting dashboard",
    "billing service", "checkout flow", "feature-flag platform", "logging stack",
    "onboarding flow", "integration test suite", "customer support tooling",
    "pricing engine", "analytics pipeline", "release process",
]
SYMPTOMS = [
    "was failing roughly {p}% of the time",
    "took {n} minutes to complete on a good day",
    "generated about {n} support tickets every week",
    "had no clear owner after a reorganisation",
    "was costing ${n}K a month more than planned",
    "paged the on-call engineer {n} times a week",
    "had not been meaningfully updated in {n} months",
    "was blocking {n} other teams from shipping",
    "slowed every release by {n} hours of manual checks",
    "produced numbers that finance no longer trusted",
]
CONSTRAINTS = [
    "this wasn't officially my problem",
    "nobody had asked me to address it",
    "I had no formal authority over the teams involved",
    "the roadmap was already full for the quarter",
    "my manager was sceptical that it was worth the effort",
    "two previous attempts to fix it had stalled",
    "we were in the middle of a hiring freeze",
    "the original authors had left the company",
    "leadership considered it a low priority",
    "the team was already stretched by a major launch",
]
GOALS = [
    "propose a concrete fix", "build a case with data", "drive the change end to end",
    "get the right people aligned", "prevent the problem from coming back",
    "turn a one-off fix into a repeatable practice", "measure the real cost first",
    "find a solution that other teams could reuse",
]

VERBS = [
    ("improve", "improved"), ("rescue", "rescued"), ("simplify", "simplified"),
    ("challenge", "challenged"), ("take ownership of", "took ownership of"),
    ("unblock", "unblocked"), ("prioritize", "prioritized"), ("negotiate", "negotiated"),
    ("redesign", "redesigned"), ("stabilize", "stabilized"), ("measure", "measured"),
    ("automate", "automated"), ("scale", "scaled"), ("document", "documented"),
    ("escalate", "escalated"), ("lead", "led"), ("deliver", "delivered"),
    ("question", "questioned"), ("rebuild", "rebuilt"), ("rethink", "rethought"),
    ("turn around", "turned around"), ("clean up", "cleaned up"),
    ("push back on", "pushed back on"), ("fix", "fixed"),
]
OBJECTS = [
    "a failing release process", "an on-call rotation nobody wanted",
    "a legacy billing service", "a cross-team migration", "a stalled roadmap item",
    "a flaky test suite", "an unclear product requirement", "a customer escalation",
    "the hiring pipeline", "a cloud bill that kept growing", "a security review backlog",
    "an incident postmortem process", "a data quality problem", "a noisy alerting setup",
    "a shared component library", "the onboarding guide", "a vendor contract",
    "a performance regression", "the design review process", "quarterly planning",
    "a broken handoff between teams", "a risky database upgrade",
    "an accessibility gap", "a slow code review culture", "the team's estimation process",
    "a missed service-level objective", "a confusing internal API",
]
CONTEXTS = [
    "without being asked", "under a tight deadline", "with no formal authority",
    "while the team was understaffed", "when priorities kept changing",
    "across three time zones", "with a sceptical manager", "during a reorganisation",
    "on a very small budget", "right after a major outage", "as a new joiner",
    "while mentoring a junior colleague", "in your first ninety days",
]
Q_TEMPLATES = [
    "Tell me about a time you {vp} {obj}",
    "Tell me about a time you {vp} {obj} {ctx}",
    "Describe a situation where you had to {v} {obj}",
    "Describe a situation where you had to {v} {obj} {ctx}",
    "Give an example of when you {vp} {obj}",
    "Give an example of when you {vp} {obj} {ctx}",
    "How do you {v} {obj} {ctx}?",
    "Walk me through how you {vp} {obj}",
    "What did you learn when you {vp} {obj}?",
    "What would you do differently if you had to {v} {obj} again?",
    "How did you get buy-in to {v} {obj} {ctx}?",
    "Describe the hardest part of having to {v} {obj}",
]
CATEGORIES = [
    "Taking Initiative", "Proactive Problem-Solving", "Ownership & Accountability",
    "Working Across Teams", "Handling Ambiguity", "Driving Results",
    "Influencing Others", "Learning & Growth", "Customer Impact", "Technical Judgment",
    "Managing Risk", "Raising the Bar", "Dealing with Setbacks", "Building Trust",
]

STEP_TITLES = [
    "Gathered Data First", "Identified Root Causes", "Researched Solutions",
    "Created a Proposal", "Socialized the Idea", "Piloted the Approach",
    "Implemented Changes", "Measured Impact", "Shared Results & Scaled",
    "Built Alliances", "Removed Blockers", "Documented Decisions", "Trained the Team",
    "Handled Pushback", "Automated the Fix", "Set Up Monitoring", "Reset Expectations",
    "Ran a Retrospective", "Simplified the Scope", "Secured Sponsorship",
]
ACTION_VERBS = [
    "Analyzed", "Reviewed", "Interviewed", "Mapped", "Drafted", "Presented",
    "Benchmarked", "Prototyped", "Shadowed", "Surveyed", "Audited", "Paired with",
    "Wrote", "Scheduled", "Automated", "Replaced", "Retired", "Consolidated",
    "Tracked", "Published", "Negotiated", "Coached",
]
ACTION_THINGS = [
    "{n} weeks of incident data", "calendar data for the {n}-person team",
    "the top {n} customer complaints", "{n} engineers about their pain points",
    "every recurring job in the {system}", "the ownership map for the {system}",
    "a one-page proposal with three options", "the cost model for the {system}",
    "a dashboard tracking the {n} key signals", "a runbook for the {system}",
    "a lightweight RFC template", "the alert rules for the {system}",
    "a {n}-week experiment plan", "the dependencies between {n} services",
    "support tickets from the last {n} months", "a migration checklist",
    "weekly office hours for the other teams", "the definition of done",
]
ACTION_TAILS = [
    "to understand the real scope", "before proposing anything",
    "so the discussion stayed grounded in facts", "with the help of two peers",
    "and shared the findings in the team channel", "to find the biggest bottleneck",
    "to make the trade-offs explicit", "so nobody had to take my word for it",
    "and asked for feedback within a week", "starting with the riskiest part",
    "while keeping the existing system running", "and kept stakeholders updated weekly",
    "(the first time anyone had looked at it end to end)",
    "to check whether the problem was getting worse",
]
OWNERS = ["another team", "nobody in particular", "a team in another office", "a vendor"]
FINDINGS = [
    "{p}% of the work was duplicated between teams",
    "{p}% of the alerts were never acted on",
    "the median wait time was {n} hours",
    "{n} of the failures shared a single root cause",
    "nobody owned the last step of the process",
    "the manual checks caught fewer than {p}% of real issues",
    "{n} hours per week were lost to context switching",
    "the same question was asked in {n} different channels",
]

RESULT_GROUPS = [
    "Quantifiable Improvements", "Team Outcomes", "Organizational Adoption",
    "Personal Recognition", "Culture Change", "Career Impact", "Long-term Value",
    "Beyond the Original Scope", "Customer Impact",
]
METRIC_NAMES = [
    "Deployment time", "Incident count", "Support tickets", "Page load time",
    "Test flakiness", "Onboarding time", "Cloud spend", "Sprint velocity",
    "Customer satisfaction", "Time to first review", "Release frequency",
    "Mean time to recovery", "Meeting hours per week", "Build duration",
    "Churn rate", "On-call pages", "Conversion rate", "Error budget burn",
]
RESULT_SENTENCES = [
    "Adopted by {n} other teams within a quarter",
    "Became part of the new-hire onboarding checklist",
    "Leadership asked me to present the approach at the all-hands",
    "Two engineers I coached now run the process on their own",
    "Reduced escalations to the leadership team to almost zero",
    "The practice is still in place {n} months later",
    "Manager cited the work in my promotion case",
    "Freed roughly {n} engineer-hours a month for roadmap work",
    "Customers stopped mentioning the issue in quarterly reviews",
    "Other teams started proposing similar improvements themselves",
    "Saved about ${n}K a year in infrastructure costs",
    "Cut the number of handoffs from {n} to 2",
]
QUOTES = [
    "My manager said in my review: 'You saw a problem nobody asked you to solve and you made it go away for good.'",
    "Our director summed it up: 'This is what ownership looks like regardless of title.'",
    "A peer told me afterwards: 'I didn't think this could be fixed without a rewrite.'",
    "The customer wrote back: 'This is the first time a vendor fixed the root cause, not the symptom.'",
    "The VP of Engineering later used it as an example of how to drive change bottom-up.",
]
TAKEAWAYS = [
    "You don't need permission to make things better.",
    "Start with data, not opinions.",
    "Small experiments beat big proposals.",
    "Make the cost of the problem visible before asking for time to fix it.",
    "Bring options, not just complaints.",
    "Influence comes from credibility, and credibility comes from follow-through.",
    "Measure before and after, or nobody will remember the improvement.",
    "Scale what works and retire what doesn't.",
    "Bad news ages badly, so share it early.",
    "Ownership means finishing the boring last ten percent.",
    "Write things down so the change outlives your involvement.",
    "Align on the problem before debating the solution.",
]
TAKEAWAY_STEPS = [
    "identify problems", "gather data to build a case", "propose solutions (not just complaints)",
    "start small with experiments", "demonstrate value", "scale what works",
    "involve the people affected early", "write down the decision", "measure before and after",
    "share credit generously", "ask for feedback", "follow through to the end",
    "make the trade-offs explicit", "retire what no longer helps",
]
TAKEAWAY_CLOSERS = [
    "seeing what needs doing and doing it", "making the invisible cost visible",
    "leaving things better than you found them", "earning the right to be trusted with more",
    "turning frustration into a plan", "acting like an owner whatever your title",
]

THEME_ADJ = [
    "Proactive", "Data-driven", "Customer", "Long-term", "Calm", "Transparent",
    "Scalable", "Pragmatic", "Collaborative", "Strategic", "Honest", "Deliberate",
    "Persistent", "Curious", "Inclusive", "Structured",
]
THEME_NOUN = [
    "thinking", "judgment", "ownership", "communication", "follow-through",
    "prioritization", "empathy", "risk-taking", "problem framing", "execution",
    "mentoring", "decision making", "learning", "escalation", "planning",
]
THEME_DEFS = [
    "Seeing what needs to be done before anyone asks",
    "Acting without waiting for permission",
    "Addressing issues before they become critical",
    "Always looking for ways to make things better",
    "Asking 'why' and 'what if' until the real problem is clear",
    "Going beyond the job description when it matters",
    "Finishing what you start, including the boring parts",
    "Focusing on impact rather than activity",
    "Finding a way forward despite obstacles",
    "Building the case with evidence instead of opinions",
    "Choosing solutions that multiply value across teams",
    "Understanding the commercial impact of technical work",
    "Keeping people informed before they have to ask",
    "Separating reversible from irreversible decisions",
    "Making trade-offs explicit and written down",
    "Inviting disagreement early instead of late",
    "Giving credit generously and taking blame personally",
    "Knowing when to escalate and when to push through",
]
THEME_GROUPS = [
    "Proactive Mindset", "Ownership & Accountability", "Innovation & Value Creation",
    "Working With Others", "Judgment Under Uncertainty", "Delivery & Follow-through",
    "Communication", "Growth Mindset",
]

LADDER_NAMES = ["Initiative Ladder", "Ownership Ladder", "Influence Ladder",
                "Escalation Ladder", "Autonomy Ladder", "Accountability Ladder"]
LADDER_STEPS = [
    ("Wait to be told", "what to do"), ("Ask", "what needs to be done"),
    ("Recommend", "what should be done"), ("Do it", "and report results"),
    ("Do it", "and inform only if needed"), ("Notice", "that something is off"),
    ("Investigate", "the root cause"), ("Propose", "two or three options"),
    ("Decide", "with the people affected"), ("Teach", "others to do the same"),
]
CHECKLIST_NAMES = ["Opportunity Identification Framework", "Problem Discovery Checklist",
                   "Pre-Mortem Questions", "Stakeholder Check-in", "Impact Review"]
CHECKLIST_ITEMS = [
    "What's frustrating our team?", "What do customers complain about?",
    "What's preventing us from moving faster?", "What do competitors do that we don't?",
    "What future problem can I prevent?", "Who is affected if this goes wrong?",
    "What would we stop doing if we had to?", "Which decision is hard to reverse?",
    "What does success look like in numbers?", "Who needs to hear about this first?",
]
FORMULAS = [
    ("Value Creation Formula", "Value = (Impact × Scope) / Effort"),
    ("Trust Formula", "Trust = (Credibility + Reliability) / Self-interest"),
    ("Influence Formula", "Influence = Credibility × Clarity"),
    ("Learning Formula", "Learning = Mistake × Reflection"),
    ("Priority Formula", "Priority = (Impact × Urgency) / Cost"),
    ("Leverage Formula", "Leverage = Output ÷ Time invested"),
]

RED_FLAGS = [
    ("Waiting for permission", "Nobody told me to do it...", "I saw the need and took action..."),
    ("Only doing assigned work", "That wasn't my responsibility...",
     "Even though it wasn't assigned, I saw the opportunity..."),
    ("Complaining without solutions", "This process is terrible...",
     "I identified the problem and implemented a solution..."),
    ("Giving up easily", "I tried once but it didn't work...",
     "I persisted through obstacles and eventually succeeded..."),
    ("No follow-through", "I had the idea but never pursued it...",
     "I took the idea from concept to implementation..."),
    ("Blaming others", "The other team dropped the ball...",
     "I should have checked the handoff myself, and now I always do..."),
    ("Vague impact", "It went pretty well, I think...",
     "We cut the cycle time from five days to one..."),
    ("Taking all the credit", "I did everything myself...",
     "I led it, and three teammates did the heavy lifting on the rollout..."),
    ("Acting recklessly", "I just pushed the change to production...",
     "I tested it behind a feature flag and rolled it out gradually..."),
    ("Ignoring stakeholders", "I didn't bother telling product...",
     "I shared the plan with product before writing any code..."),
    ("Hero mentality", "I stayed up three nights to fix it alone...",
     "I fixed the immediate issue and then made sure it couldn't happen again..."),
    ("No lesson learned", "It just didn't work out...",
     "Since then I always write a rollback plan before the deploy..."),
]
METRICS = [
    ("Time saved", "Recovered {n} hours per week across the team"),
    ("Revenue generated", "Created ${n}K new annual recurring revenue"),
    ("Problems prevented", "Avoided a potential ${n}K production incident"),
    ("Productivity improved", "Increased team velocity by {p}%"),
    ("Adoption metrics", "Solution adopted by {n} engineers company-wide"),
    ("ROI", "A {s}-week investment saved {n} hours annually"),
    ("Quality", "Reduced escaped defects by {p}%"),
    ("Reliability", "Improved uptime from 99.{s} to 99.9{s}%"),
    ("Speed", "Cut lead time from {n} days to {s}"),
    ("Cost", "Lowered monthly cloud spend by ${n}K"),
    ("Customer satisfaction", "Raised NPS by {s} points"),
    ("People", "Mentored {s} engineers into new responsibilities"),
]
FOLLOW_UPS = [
    "How do you identify what needs to be done?",
    "What if your manager disagreed with your approach?",
    "How do you balance proactive work with assigned tasks?",
    "What if your idea had failed?",
    "How do you know when to ask permission vs. take action?",
    "What motivates you to go above and beyond?",
    "How do you prioritize when you see multiple opportunities?",
    "How do you get buy-in for your ideas?",
    "What would you have done with twice the time?",
    "Who else should get credit for this result?",
    "How did you measure success?",
    "What was the biggest risk, and how did you manage it?",
    "How would you handle the same situation in a larger company?",
    "What feedback did you receive afterwards?",
]
OVERVIEW_PARTS = [
    "{topic} questions assess your ability to identify opportunities, act without being asked, "
    "and create value independently.",
    "Interviewers use them to separate engineers who wait for instructions from engineers who move the work forward.",
    "Strong answers are specific, quantified, and honest about trade-offs and setbacks.",
    "These qualities are highly valued for senior roles and for anyone aiming at a leadership position.",
    "Expect follow-ups that probe how you handled disagreement, risk, and the people affected by your decisions.",
    "Prepare two or three stories you can adapt, each with a clear before-and-after.",
]


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------

def _num(rng: random.Random) -> int:
    return rng.choice([3, 4, 5, 6, 8, 10, 12, 15, 18, 20, 24, 30, 40, 45, 60, 90, 120, 250])


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        n=_num(rng), p=rng.randint(5, 85), s=rng.randint(2, 9), system=rng.choice(SYSTEMS)
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _unique(rng: random.Random, make, count: int, seen: set[str]) -> list[str]:
    out: list[str] = []
    tries = 0
    while len(out) < count and tries < count * 50:
        tries += 1
        item = make()
        if item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    return out


def _question(rng: random.Random) -> str:
    v, vp = rng.choice(VERBS)
    q = rng.choice(Q_TEMPLATES).format(v=v, vp=vp, obj=rng.choice(OBJECTS), ctx=rng.choice(CONTEXTS))
    return q[0].upper() + q[1:]


def _action_line(rng: random.Random) -> str:
    return f"{rng.choice(ACTION_VERBS)} {_fill(rng, rng.choice(ACTION_THINGS))} {rng.choice(ACTION_TAILS)}"


def _star(rng: random.Random, number: int, question: str, topic: str) -> list[str]:
    company, role, system = rng.choice(COMPANIES), rng.choice(ROLES), rng.choice(SYSTEMS)
    symptom = _fill(rng, rng.choice(SYMPTOMS))
    constraint = rng.choice(CONSTRAINTS)
    lines = [f"### Q{number}: {question.rstrip('?')}", ""]

    situation = (
        f"During my time at {company}, I noticed that our {system} {symptom}. "
        f"The impact was spreading: {_fill(rng, rng.choice(FINDINGS))}, projects were slipping, "
        f"and morale was starting to suffer. However, {constraint}—"
        f"I was a {role}, and the {system} belonged to {rng.choice(OWNERS)}."
    )
    if rng.random() < 0.6:
        situation += (
            f" Two earlier attempts to fix it had focused on symptoms, and the general mood was that "
            f"the {system} was simply 'how things are'."
        )
    lines += ["**Situation:**", f'"{situation}"', ""]

    task = (
        f"I decided to take {topic.lower()} seriously: to diagnose the {system} problem, "
        f"{rng.choice(GOALS)}, and {rng.choice(GOALS)}—even though {rng.choice(CONSTRAINTS)}."
    )
    lines += ["**Task:**", f'"{task}"', ""]

    lines.append("**Action:**")
    steps = rng.sample(STEP_TITLES, rng.randint(4, 7))
    for si, title in enumerate(steps):
        prefix = '- "' if si == 0 else "- "
        lines.append(f"{prefix}**{title}:**")
        for bi in range(rng.randint(3, 5)):
            lines.append(f"  - {_action_line(rng)}")
            if bi == 0 and rng.random() < 0.3:
                lines.append("  - Findings:")
                for _ in range(rng.randint(2, 4)):
                    lines.append(f"    - {_fill(rng, rng.choice(FINDINGS)).capitalize()}")
        if si == len(steps) - 1:
            lines[-1] += '"'
        lines.append("")

    lines.append("**Result:**")
    lines.append(f'"Taking this on created significant impact for the {system} and the people depending on it:')
    lines.append("")
    for group in rng.sample(RESULT_GROUPS, rng.randint(2, 3)):
        lines.append(f"**{group}:**")
        for _ in range(rng.randint(3, 5)):
            if rng.random() < 0.5:
                a = _num(rng) * rng.randint(2, 5)
                b = max(1, a * rng.randint(10, 70) // 100)
                pct = round(100 * (a - b) / a)
                lines.append(f"- {rng.choice(METRIC_NAMES)}: {a} → {b} ({pct}% reduction)")
            else:
                lines.append(f"- {_fill(rng, rng.choice(RESULT_SENTENCES))}")
        lines.append("")
    lines.append(f'{rng.choice(QUOTES)}"')
    lines.append("")

    if rng.random() < 0.9:
        steps = rng.sample(TAKEAWAY_STEPS, rng.randint(4, 6))
        steps[0] = steps[0][0].upper() + steps[0][1:]
        takeaway = (f"{rng.choice(TAKEAWAYS)} {', '.join(steps[:-1])}, and {steps[-1]}. "
                    f"{topic} is about {rng.choice(TAKEAWAY_CLOSERS)}.")
        lines += ["**Key Takeaway:**", f'"{takeaway}"', ""]
    return lines


def guide_text(seed: int | str, index: int) -> tuple[str, str]:
    """Return (relative path, markdown text) of guide number *index* for *seed*."""
    rng = random.Random(f"{seed}:{index}")
    topic = f"{rng.choice(TOPIC_HEADS)} {rng.choice(TOPIC_TAILS)}"
    area = AREAS[index % len(AREAS)]
    rel = f"{area}/{index:04d}-{_slug(topic)}.md"

    out: list[str] = [f"# {topic}", "", "## Overview"]
    overview = " ".join(rng.sample(OVERVIEW_PARTS, 4)).format(topic=topic)
    out += [overview, ""]

    # Common questions: ~25 in 3-5 categories.
    out += ["## 📋 Common Questions", ""]
    seen: set[str] = set()
    all_questions: list[str] = []
    for cat in rng.sample(CATEGORIES, rng.randint(3, 5)):
        qs = _unique(rng, lambda: _question(rng), rng.randint(5, 7), seen)
        all_questions += qs
        out.append(f"### {cat}")
        out += [f"{i}. {q}" for i, q in enumerate(qs, 1)]
        out.append("")

    # Sample answers: 4-8 STAR sections (~6 on average).
    out += ["## 💡 Sample Answers with STAR Framework", ""]
    n_answers = rng.randint(4, 8)
    answered = rng.sample(all_questions, min(n_answers, len(all_questions)))
    for i, q in enumerate(answered, 1):
        out += _star(rng, i, q, topic)
        if i < len(answered):
            out += ["---", ""]

    # Themes: ~15 in three groups.
    out += ["## 🎯 Key Themes to Demonstrate", ""]
    theme_seen: set[str] = set()
    for group in rng.sample(THEME_GROUPS, 3):
        out.append(f"### {group}")
        terms = _unique(rng, lambda: f"{rng.choice(THEME_ADJ)} {rng.choice(THEME_NOUN)}",
                        rng.randint(4, 6), theme_seen)
        out += [f"✅ **{t}**: {rng.choice(THEME_DEFS)}" for t in terms]
        out.append("")

    # Frameworks: ladder + formula, sometimes a checklist.
    out += [f"## 🔧 Frameworks for Demonstrating {topic}", ""]
    out.append(f"### The {rng.choice(LADDER_NAMES)}")
    steps = rng.sample(LADDER_STEPS, 5)
    out += [f"{i}. **{a}** {b}" for i, (a, b) in enumerate(steps, 1)]
    out += ["", f"Aim for levels {rng.randint(3, 4)}-5 in your examples.", ""]
    if rng.random() < 0.6:
        out.append(f"### {rng.choice(CHECKLIST_NAMES)}")
        out.append("Ask yourself:")
        out += [f"- {item}" for item in rng.sample(CHECKLIST_ITEMS, rng.randint(4, 6))]
        out.append("")
    name, formula = rng.choice(FORMULAS)
    out += [f"### {name}", f"**{formula}**", "",
            "Maximize the top of the fraction while keeping the bottom honest.", ""]

    # Red flags: ~6 pairs.
    out += ["## 🚨 Red Flags to Avoid", ""]
    for label, weak, better in rng.sample(RED_FLAGS, rng.randint(5, 7)):
        out += [f'❌ **{label}**: "{weak}"', f'✅ **Better**: "{better}"', ""]

    # Metrics: ~6.
    out += ["## 📊 Metrics to Include", "", "Quantify your impact:"]
    for label, example in rng.sample(METRICS, rng.randint(5, 7)):
        out.append(f'- **{label}**: "{_fill(rng, example)}"')
    out.append("")

    # Follow-ups: ~8 quoted.
    out += ["## 🎓 Follow-up Questions to Prepare For", ""]
    fus = rng.sample(FOLLOW_UPS, rng.randint(6, 9))
    out += [f'{i}. "{q}"' for i, q in enumerate(fus, 1)]
    out.append("")

    out += ["## 🔗 Related Topics", ""]
    for other in rng.sample(TOPIC_HEADS, 3):
        out.append(f"- [{other}](./{_slug(other)}.md)")
    out += ["", "---", "", "[← Back to Behavioral](./README.md)", ""]
    return rel, "\n".join(out)


def generate(folder: str | Path, n_guides: int, seed: int | str = 0) -> list[Path]:
    """Write *n_guides* deterministic guides under *folder* (spread over ~10 subfolders).

    Returns the written paths. The same seed gives byte-identical files.
    """
    root = Path(folder)
    paths: list[Path] = []
    for i in range(n_guides):
        rel, text = guide_text(seed, i)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def guide_paths(folder: str | Path) -> list[Path]:
    """All generated guides under *folder*, in a stable order."""
    return sorted(Path(folder).rglob("*.md"), key=lambda p: p.relative_to(folder).as_posix())


def apply_one_change(folder: str | Path, seed: int | str = 0, step: int = 0) -> tuple[Path, str, str]:
    """Edit one answer line in one guide, deterministically, so that exactly one note changes.

    The edited line is the ``**Situation:**`` paragraph of one STAR sample answer; the edit
    lands in its first sentence (which the STAR card shows). Nested Action bullets are not
    used because they do not appear on any card. *step* selects a different edit for
    repeated changes. Returns (path, old line, new line).
    """
    rng = random.Random(f"{seed}:change:{step}")
    paths = guide_paths(folder)
    if not paths:
        raise FileNotFoundError(f"no .md files under {folder}")
    path = rng.choice(paths)
    lines = path.read_text(encoding="utf-8").split("\n")
    in_answers = False
    candidates: list[int] = []
    for i, line in enumerate(lines):
        if line.startswith("## "):
            in_answers = "Sample Answers" in line
        elif in_answers and i > 0 and lines[i - 1] == "**Situation:**" and ", " in line:
            candidates.append(i)
    if not candidates:
        raise ValueError(f"no answer line to edit in {path}")
    i = rng.choice(candidates)
    old = lines[i]
    new = old.replace(", ", f", {rng.randint(2, 40)} months into pass {step + 1}, ", 1)
    lines[i] = new
    path.write_bytes("\n".join(lines).encode("utf-8"))
    return path, old, new


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    written = generate(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else 0)
    total = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} guides, {total / 1e6:.2f} MB, to {sys.argv[1]}")
