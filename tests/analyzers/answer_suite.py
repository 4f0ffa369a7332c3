"""Hand-written spoken answers (Whisper-style transcripts) for the answer-quality suite.

Per question: an excellent answer, a vague one, a confidently wrong one that uses the right
keywords, a correct one in plain words, a bare list of buzzwords, an off-topic one (the weather
plus one line of buzzwords) and an empty one. Bank questions are named by id; one question is
authored the way a recruiter writes it (key_points + wrong_claims).
"""

from __future__ import annotations

KINDS = ("excellent", "vague", "wrong", "plain", "buzzwords", "off_topic", "empty")

RECRUITER_QUESTION = {
    "id": "rec-pooling",
    "text": "What is database connection pooling and why would you use it?",
    "type": "technical",
    "skill": "databases",
    "key_points": [
        "reuse open connections instead of opening a new one per request",
        "opening a connection is expensive: network handshake and authentication",
        "cap the pool size to protect the database",
        "return the connection to the pool after use",
    ],
    "wrong_claims": [
        "a bigger pool always makes the database faster",
        "every request should open and close its own connection",
        "connections in a pool never go stale",
    ],
}

ANSWERS: dict[str, dict[str, str]] = {
    "be-i2": {  # caching + invalidation
        "excellent": (
            "so um the way i'd do it is cache aside. the api first checks redis for the key, and "
            "on a miss it reads from the database and writes the result back into redis. every "
            "entry gets a ttl, say five minutes, so even if we miss an update the data expires "
            "eventually. when something is written we delete the cached key right after the "
            "database commit, so the next read fetches fresh data. to avoid a stampede when a hot "
            "key expires i'd use a lock or request coalescing so only one request rebuilds it, "
            "and add some jitter to the ttls. and then i'd track the hit ratio in grafana to see "
            "whether the cache is actually helping."),
        "vague": (
            "caching is really important for performance. you basically put stuff in a cache so "
            "it's faster, and then you have to think about invalidation because that's one of "
            "the hard problems in computer science. it depends on the use case really."),
        "wrong": (
            "i'd put redis in front of the api with cache aside. the nice thing is that once a "
            "value is in redis it stays correct, so you don't need to invalidate anything on "
            "writes. i wouldn't set a ttl either, because expiring keys only lowers the hit "
            "ratio. a cache stampede is basically when redis runs out of memory and starts "
            "evicting keys, so you just give it more ram."),
        "plain": (
            "ok so first the service looks in a fast in-memory store and only goes to the "
            "database when the thing isn't there, then it saves the result for next time. every "
            "saved item expires after a few minutes so nothing stays old for too long. when "
            "someone changes the data we throw away the saved copy so the next request gets the "
            "new version. and if a popular item expires and thousands of requests hit the "
            "database at the same moment, that's a thundering herd, so we let just one request "
            "refill it while the others wait. we also watch what fraction of requests are served "
            "from the store."),
        "buzzwords": (
            "redis, memcached, cache aside, ttl, expiration, invalidation, write through, "
            "stampede, hit ratio, lru eviction."),
        "off_topic": (
            "honestly the weather has been great this week, we went hiking on saturday and it "
            "was sunny the whole day. i'm thinking about going to the beach next weekend if it "
            "stays warm. redis ttl invalidation stampede hit ratio."),
        "empty": "",
    },
    "bh-i1": {  # disagreement with a teammate
        "excellent": (
            "so at my last job a teammate and i disagreed about whether to rewrite our payment "
            "retry logic or just patch it before a launch. he wanted the rewrite, i thought it "
            "was too risky two weeks out. i set up a call and asked him to walk me through his "
            "concerns, and honestly he had a point about the bugs piling up. so we agreed to look "
            "at the data, we pulled the incident tickets from the last quarter and found that "
            "most failures came from one module. we patched everything else for the launch and "
            "rewrote just that module the sprint after. the launch went fine and failed payments "
            "dropped by about thirty percent. and we got along better after that, he actually "
            "asked me to review his design docs later."),
        "vague": (
            "i think disagreements are normal in any team. i always try to be respectful and "
            "communicate well, and usually we work it out. teamwork is really important to me "
            "and i think it's about being open minded."),
        "wrong": (
            "sure, a teammate and i disagreed about the database schema for a new service. i knew "
            "my design was right so i kept pushing my approach until he gave in. i merged my "
            "version before the meeting and asked the manager to just make the final call for "
            "us, and she sided with me. we never really talked about it again and we mostly "
            "avoided each other after that, but the schema shipped on time."),
        "plain": (
            "there was this time when another developer and i couldn't agree on how to structure "
            "an api. he wanted one big endpoint and i wanted several small ones. i asked him to "
            "explain why, and after hearing him out i understood he was worried about the mobile "
            "app making too many calls. we measured how many calls the app actually made on a "
            "typical screen and it was only two or three. so we went with the small endpoints "
            "but grouped two of them for that screen. it shipped on time and we still pair a lot, "
            "we get on really well now."),
        "buzzwords": (
            "conflict resolution, active listening, empathy, data driven, stakeholder alignment, "
            "compromise, outcome, teamwork, communication."),
        "off_topic": (
            "well i grew up near the coast so i love the ocean, and the weather this time of "
            "year is usually rainy and cold. my favorite food is probably ramen, i make it at "
            "home on sundays. disagreement, listening, common ground, outcome, relationship."),
        "empty": "",
    },
    "be-a1": {  # rate limiter
        "excellent": (
            "i'd use a token bucket per api key. each key gets a bucket that refills at say ten "
            "tokens per second with a burst of fifty, and every request takes one token. since "
            "we have many api servers the counters live in redis and we update them with a small "
            "lua script so the check and the decrement are atomic. when a client runs out of "
            "tokens we return 429 too many requests with a retry-after header telling them when "
            "to come back. the tricky part is that in a distributed setup the servers' clocks "
            "can drift, so i'd use the redis time rather than each server's clock and accept "
            "that limits are approximate across regions. a sliding window is an alternative if "
            "we need smoother limits."),
        "vague": (
            "a rate limiter basically limits how many requests someone can make. you'd want to "
            "make it scalable and reliable, and you would put it in front of the api somewhere. "
            "there are different algorithms you could use depending on the requirements."),
        "wrong": (
            "for a rate limiter i'd just keep a counter in memory on each api server, and since "
            "the load balancer spreads traffic evenly the limits stay exact across the cluster, "
            "so there's no need for redis. i'd key the limit on the client's ip address because "
            "that identifies each user uniquely. when they go over the limit we return a 500 "
            "internal server error so they know to stop. a token bucket would just add "
            "complexity."),
        "plain": (
            "every customer gets an allowance of calls that slowly fills back up over time, so "
            "they can burst a little but not hammer us forever. we count per customer key rather "
            "than globally. the counts are kept in one central fast store that all the servers "
            "talk to, otherwise each machine would count separately. if someone goes over we "
            "reply with too many requests and tell them how many seconds to wait before trying "
            "again. and because the servers don't share exactly the same time the windows can "
            "be slightly off, so we take the time from the central store."),
        "buzzwords": (
            "token bucket, sliding window, leaky bucket, redis, 429, retry after, api key, "
            "throttling, distributed, clock skew."),
        "off_topic": (
            "oh the weather today is kind of gloomy, it rained all morning and my bus was late. "
            "i had a great coffee though, a flat white from the place around the corner. token "
            "bucket redis 429 retry after."),
        "empty": "",
    },
    "ds-i2": {  # precision / recall / F1
        "excellent": (
            "precision is the true positives divided by everything the model predicted as "
            "positive, so of all the items we flagged, how many were right. recall is true "
            "positives divided by all the actual positives, so how many of the real cases we "
            "caught. f1 is the harmonic mean of the two, which punishes you if either one is "
            "low. accuracy is misleading on imbalanced classes, like fraud where only one percent "
            "of transactions are fraud, so there you look at precision and recall. which one you "
            "prefer depends on the cost of errors: for spam filtering a false positive hides a "
            "real email so i'd favor precision, for cancer screening a false negative is much "
            "worse so i'd favor recall."),
        "vague": (
            "precision and recall are metrics for classification models. they tell you how good "
            "the model is. f1 combines them. you pick the one that makes sense for your problem, "
            "it's kind of a business decision."),
        "wrong": (
            "so precision is the true positives divided by all the actual positives in the data, "
            "and recall is the true positives over everything the model predicted positive. f1 "
            "is just the average of precision and recall, you add them up and divide by two. "
            "imbalanced classes don't really matter for these metrics, plain accuracy works fine "
            "there too."),
        "plain": (
            "ok so precision asks, of the things the model flagged, how many were actually "
            "right. recall asks, of all the real cases out there, how many did the model manage "
            "to find. f1 squashes the two into one number that drops sharply if either one is "
            "bad, so it's not the normal average. when the thing you're looking for is rare, "
            "like one fraud case in a thousand, just counting correct predictions fools you. and "
            "which one you care about depends on what a mistake costs you, a false alarm versus "
            "missing a real case."),
        "buzzwords": (
            "precision, recall, f1, harmonic mean, true positives, false positives, false "
            "negatives, confusion matrix, imbalanced classes, roc auc."),
        "off_topic": (
            "i spent the weekend gardening because the weather was finally warm, the tomatoes "
            "are coming along nicely. my neighbor has a dog that keeps digging under the fence. "
            "precision recall f1 harmonic mean."),
        "empty": "",
    },
    "se-i1": {  # storing passwords
        "excellent": (
            "you never store the password itself, not even encrypted. you hash it with a slow, "
            "memory hard algorithm like argon2 or bcrypt, tuned so one hash takes maybe a "
            "hundred milliseconds. each password gets its own random salt which is stored next "
            "to the hash, so identical passwords look different and rainbow tables are useless. "
            "on the login endpoint i'd add rate limiting and lock the account or add a delay "
            "after a handful of failed attempts, to slow down credential stuffing."),
        "vague": (
            "passwords need to be stored securely, security is really important. you should "
            "follow best practices and use a good library so it's safe. and make sure the "
            "database is protected."),
        "wrong": (
            "i'd store the password encrypted with aes, so we can decrypt it and email it back "
            "when users forget it. for hashing, sha-256 is great because it's really fast, so "
            "logins stay quick. one salt for the whole application is enough as long as it's "
            "secret. rate limiting isn't necessary if the passwords are strong."),
        "plain": (
            "the real password should never sit in the database as it is. we run it through a "
            "deliberately slow one-way function, something made for passwords, so guessing "
            "millions of them is expensive. every user gets their own random value mixed in "
            "before that, so two people with the same password end up with different stored "
            "values. and after a few wrong tries we slow the person down or freeze the account "
            "for a while."),
        "buzzwords": "bcrypt, argon2, scrypt, salt, pepper, hashing, plain text, lockout.",
        "off_topic": (
            "my favourite season is autumn, the weather gets cooler and the leaves change "
            "colour. we usually go apple picking with the kids. bcrypt salt argon2 lockout."),
        "empty": "",
    },
    "ge-b1": {  # process vs thread
        "excellent": (
            "a process is a running program with its own address space, so one process can't "
            "read another's memory without going through the os. threads live inside a process "
            "and share its memory and file handles, which makes communication cheap. switching "
            "between threads is cheaper than switching between processes because the memory "
            "mappings don't change. the flip side of sharing memory is that threads need "
            "synchronization, like mutexes or locks, otherwise you get race conditions."),
        "vague": (
            "processes and threads are both ways of running things at the same time. they're "
            "used for concurrency and performance. it depends on the language and the operating "
            "system really."),
        "wrong": (
            "each thread gets its own separate memory space, that's the main difference from a "
            "process, and processes all share one heap with each other. switching between "
            "processes is actually cheaper than switching threads. and threads don't need locks "
            "because the operating system synchronizes them for you automatically."),
        "plain": (
            "a program that's running gets a private area of memory that nobody else can touch. "
            "the workers inside that program all see the same memory, so they can pass data "
            "around easily. jumping from one program to another costs more time than jumping "
            "between workers inside one program. and because the workers touch the same data you "
            "have to make them take turns, otherwise they overwrite each other."),
        "buzzwords": (
            "process, thread, memory, address space, context switch, mutex, lock, semaphore, "
            "concurrency."),
        "off_topic": (
            "i'm a big football fan, so my weekends are mostly watching matches, and the weather "
            "was terrible for the game last sunday. we still had a good time. process thread "
            "mutex context switch."),
        "empty": "",
    },
    "rec-pooling": {  # authored by a recruiter
        "excellent": (
            "connection pooling means the app keeps a set of open database connections and hands "
            "them out to requests instead of opening a fresh one each time. opening a connection "
            "is slow because of the tcp handshake, tls and authentication, that can be tens of "
            "milliseconds. you cap the pool, say twenty connections per instance, because the "
            "database itself can only handle so many. and when the request is done the "
            "connection goes back to the pool, usually with a context manager so it's returned "
            "even on errors."),
        "vague": (
            "it's a performance thing for databases. you have a pool and it makes stuff more "
            "efficient. most frameworks do it for you so you don't have to think about it much."),
        "wrong": (
            "pooling is nice but honestly the bigger the pool the faster the database gets, so "
            "i'd set it to a few thousand connections. for safety each request should still open "
            "and close its own connection, so the pool mostly just keeps a list of connection "
            "strings. and pooled connections never go stale, so you don't need health checks."),
        "plain": (
            "instead of connecting to the database again for every request, the app keeps a few "
            "connections open all the time and lends them out. making a brand new connection is "
            "slow because of all the back and forth on the network and logging in. there's a "
            "limit on how many connections the pool will open, so the database doesn't get "
            "swamped. and when your code is done with a connection it hands it back to the pool "
            "so the next request can use it."),
        "buzzwords": (
            "connection pool, max pool size, handshake, reuse, hikari, pgbouncer, timeout, idle "
            "connections."),
        "off_topic": (
            "the weather in london has been so grey lately, i really miss the sun. i've been "
            "reading a lot of novels on the train. connection pool handshake pgbouncer."),
        "empty": "",
    },
}
