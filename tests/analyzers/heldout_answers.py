"""Held-out spoken answers: written apart from the evaluator's tuning, for alias-free questions.

Per question: excellent, plain-words correct, confidently wrong (the right words, wrong claims),
a buzzword list, off-topic (life talk plus a few terms), vague, empty. The first two questions'
answers were written by another engineer; the rest were added for this suite.
"""

from __future__ import annotations

KINDS = ("excellent", "plain", "wrong", "buzzwords", "off_topic", "vague", "empty")

ANSWERS: dict[str, dict[str, str]] = {
    "ge-i1": {  # hash table
        "excellent": (
            "so a hash table keeps an array of buckets. you run the key through a hash function "
            "and that number, modulo the array size, tells you which bucket the key goes into. "
            "two keys can land in the same bucket, that's a collision, and you handle it either "
            "by chaining, a little linked list per bucket, or by open addressing where you probe "
            "the next free slot. on average lookups are constant time. and when the table gets "
            "too full, say past a load factor of 0.75, you allocate a bigger array and rehash "
            "everything."),
        "plain": (
            "you turn each key into a number and use that number to pick a slot in a big array. "
            "if two keys want the same slot, you keep a small list in that slot, or you walk "
            "forward to the next empty slot. finding something is usually instant no matter how "
            "many items you have. once the array is getting crowded you make a bigger one and "
            "move every item over."),
        "wrong": (
            "a hash table stores keys in sorted order, so a lookup is a binary search and takes "
            "log n time. the hash function encrypts the key. when there is a collision the new "
            "value simply overwrites the old one, and the table never needs to resize because "
            "buckets grow forever."),
        "buzzwords": "hash function, buckets, collisions, chaining, open addressing, load factor, "
                     "rehash, O(1).",
        "off_topic": (
            "i spent the weekend hiking, the weather was lovely and we had a picnic by the lake. "
            "hash function buckets chaining."),
        "vague": (
            "it is a data structure that is fast, you put things in and get them out, it is used "
            "a lot in programming."),
        "empty": "",
    },
    "fe-i1": {  # event loop
        "excellent": (
            "javascript runs on a single thread with one call stack. when you call something "
            "async like fetch or settimeout, the browser apis do that work outside the stack, "
            "and when it is done they put the callback into the task queue. the event loop waits "
            "until the call stack is empty and then takes the next task. promises are special, "
            "their callbacks go into the microtask queue, which is drained completely before the "
            "next task, so a resolved promise runs before a timeout of zero. that is why the "
            "page stays non blocking."),
        "plain": (
            "there is only one worker running your code, doing one thing at a time. slow things "
            "like timers and network calls are handed to the browser, and when they finish the "
            "browser lines up the follow-up work in a waiting line. whenever the worker is free "
            "it grabs the next item from the line. promise follow-ups get a priority line that "
            "is emptied first. so nothing freezes while you wait for the network."),
        "wrong": (
            "javascript runs every callback on its own thread, so the event loop is really a "
            "thread pool. settimeout callbacks always run before promise callbacks, and a long "
            "loop never blocks the page because the browser interrupts it."),
        "buzzwords": "call stack, task queue, microtasks, promises, web apis, non-blocking, "
                     "event loop.",
        "off_topic": (
            "my favourite framework is whatever the team likes, and i enjoy cooking pasta on "
            "fridays. call stack microtasks."),
        "vague": (
            "the event loop handles events in a loop, it makes javascript asynchronous which is "
            "good for performance."),
        "empty": "",
    },
    "be-b3": {  # database index
        "excellent": (
            "an index is a separate structure the database keeps next to the table, usually a "
            "b-tree sorted by the indexed column, with pointers back to the rows. so when you "
            "query where email equals something, the database walks down the tree in a few "
            "steps instead of reading every row, which would be a full table scan. the catch is "
            "that every insert or update also has to update the index, so writes get a bit "
            "slower, and the index takes up extra disk space. so you index the columns you "
            "actually filter or join on, not everything."),
        "plain": (
            "it's like the index at the back of a book. the database keeps a sorted list of the "
            "values in one column and where each row lives, so to find a customer by email it "
            "jumps straight to the right spot instead of checking every single row one by one. "
            "the downside is that each time you add or change a row that list has to be kept up "
            "to date too, so saving data takes a little longer, and the list itself takes room "
            "on the disk."),
        "wrong": (
            "an index is basically a cache of the query results that the database keeps in "
            "memory. it makes every query faster, reads and writes, because the database "
            "doesn't have to think as hard. it doesn't take any extra storage since it only "
            "stores pointers. so my rule is to put an index on every column just to be safe."),
        "buzzwords": "b-tree, full table scan, query planner, write overhead, storage, "
                     "composite index, cardinality.",
        "off_topic": (
            "i've been reading a lot of fantasy novels lately and my book club meets every "
            "thursday at a cafe downtown. we just finished a really long series. b-tree table "
            "scan."),
        "vague": (
            "an index makes the database faster. it's something you add to a table when queries "
            "are slow and it helps the database find things, it's a best practice."),
        "empty": "",
    },
    "ds-b4": {  # overfitting
        "excellent": (
            "overfitting is when the model memorizes the training data, including its noise, "
            "instead of learning the general pattern, so it does great on data it has seen and "
            "badly on new data. the way you detect it is to hold out data: you split into "
            "train, validation and test sets, and if training accuracy is say ninety eight "
            "percent while validation accuracy is seventy, that gap is overfitting. you can "
            "also plot the learning curves, validation loss starts going up while training loss "
            "keeps dropping. and with little data i'd use k-fold cross validation to get a more "
            "reliable estimate."),
        "plain": (
            "it's when the model basically learns the examples by heart, so it looks perfect on "
            "the examples you trained it on but falls apart on anything new. to catch it you "
            "keep some examples aside that the model never sees while learning, and you compare "
            "how well it does on those versus the ones it learned from. if it's much worse on "
            "the unseen ones, that's the sign. you can also repeat that several times with a "
            "different chunk held back each time and average the results."),
        "wrong": (
            "overfitting is when the model is too simple for the data, like fitting a straight "
            "line to a curve. a model with really high training accuracy can't be overfitting, "
            "that just means it learned well. so to detect it you look at the training loss, "
            "and if the training loss stays high you know it's overfitting. you don't really "
            "need a validation set for that."),
        "buzzwords": "overfitting, variance, train test split, validation set, cross "
                     "validation, learning curves, regularization.",
        "off_topic": (
            "last summer i trained for a half marathon, i ran every morning before work and my "
            "knees were not happy about it. i finished in just under two hours. validation set "
            "cross validation."),
        "vague": (
            "overfitting is bad for a model, it means the model isn't good in the real world. "
            "you have to be careful and test your model properly to avoid it."),
        "empty": "",
    },
}
