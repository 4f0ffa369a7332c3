"""Held-out spoken answers, second part (devops, security, product, mobile, behavioral)."""

from __future__ import annotations

ANSWERS: dict[str, dict[str, str]] = {
    "do-b1": {  # container vs VM
        "excellent": (
            "a container is just a process, or a group of processes, that the linux kernel "
            "isolates using namespaces and cgroups, so it has its own filesystem and network "
            "view but it shares the host kernel. a virtual machine instead runs a whole guest "
            "operating system with its own kernel on top of a hypervisor. that's why containers "
            "are much lighter, they start in well under a second and you can pack many more on "
            "one machine, while a vm takes a while to boot. you build a container from an image, "
            "like a docker image, which layers the app and its dependencies. the trade off is "
            "that a vm gives you stronger isolation."),
        "plain": (
            "a container packages your app with everything it needs, but it borrows the core of "
            "the operating system from the machine it's running on. a virtual machine pretends "
            "to be a whole separate computer, so it boots its own complete operating system. "
            "because of that containers are small and start almost instantly, and a virtual "
            "machine is heavier and slower to start. you usually build a container from a "
            "template file that lists what goes inside, and the system walls each one off so "
            "they can't see each other's files."),
        "wrong": (
            "a container is basically a small virtual machine, each container runs its own full "
            "guest operating system with its own kernel, which is why they're so well isolated. "
            "actually virtual machines start faster than containers because the hypervisor is "
            "lower level. the main difference is just that docker is free and vmware costs "
            "money."),
        "buzzwords": "docker, kernel, hypervisor, namespaces, cgroups, images, guest os, "
                     "lightweight.",
        "off_topic": (
            "we moved apartments last month and it took forever to pack all the boxes, my cat "
            "hated it. the new place is much closer to the park. docker kernel namespaces."),
        "vague": (
            "containers and virtual machines are both ways to run applications. containers are "
            "more modern and everybody uses them now, they're better for the cloud."),
        "empty": "",
    },
    "se-b1": {  # hashing vs encryption
        "excellent": (
            "hashing is a one way function, you take some input and get a fixed size digest, "
            "and there's no key that gets you back to the input. encryption is two way, you "
            "encrypt with a key and anyone with the right key can decrypt it back to the "
            "original. that's why passwords should be hashed and not encrypted, with a unique "
            "salt per user and a slow algorithm like bcrypt or argon2, so a leaked database "
            "doesn't give away the passwords. for encryption you have symmetric schemes like "
            "aes where both sides share the same key, and asymmetric ones like rsa with a public "
            "and a private key."),
        "plain": (
            "when you hash something you can't turn the result back into the original, it only "
            "goes in one direction. you just compare results. encrypting scrambles the data in a "
            "way you can undo later if you have the secret. so for passwords you store the "
            "hashed version, and you mix a random extra value into each one first so two people "
            "with the same password don't look the same. and with encryption either both sides "
            "use the same secret, or there's a public part to lock and a private part to "
            "unlock."),
        "wrong": (
            "hashing and encryption both protect data, but hashing can be reversed if you have "
            "the right key, it's just faster. encryption is the one way one, once you encrypt "
            "something you can never get it back. that's why passwords should be encrypted "
            "rather than hashed, so the support team can read them when a user forgets. salts "
            "are only needed for encryption."),
        "buzzwords": "sha-256, bcrypt, salt, aes, rsa, one way, symmetric, asymmetric, key.",
        "off_topic": (
            "my sister just had a baby so i've been visiting my family a lot, the drive is about "
            "three hours each way. we had a big dinner on sunday. bcrypt salt aes."),
        "vague": (
            "hashing and encryption are both security things. they keep your data safe from "
            "hackers, you should always use them, they're really important for security."),
        "empty": "",
    },
    "pm-b2": {  # MVP
        "excellent": (
            "an mvp is the smallest version of the product that lets you test your riskiest "
            "hypothesis with real users. so instead of building the whole thing for six months, "
            "you build just enough, maybe a landing page or a concierge version where we do "
            "things by hand, and put it in front of actual customers. the point is to learn "
            "quickly whether people want it and will pay, and to avoid wasting months of "
            "engineering on something nobody needs. then you look at the usage data and the "
            "interviews and iterate, you keep what works, change what doesn't, or pivot."),
        "plain": (
            "it's the simplest first version you can put out that still answers the one big "
            "question you're unsure about, like will people actually use this. you give it to a "
            "small group of real customers early instead of waiting until everything is "
            "perfect, and you see what they do. that way if the idea is wrong you've only spent "
            "a few weeks, not a year. then you take what they told you and improve it step by "
            "step, round after round."),
        "wrong": (
            "an mvp is the full product with every feature we planned, just built quickly and "
            "with lower quality, so it's a bit buggy. you shouldn't show it to real users "
            "because it would hurt the brand, you test it internally. once it's built you ship "
            "it and move on to the next product, you don't really iterate on an mvp."),
        "buzzwords": "mvp, hypothesis, validated learning, build measure learn, iteration, "
                     "pivot, lean startup.",
        "off_topic": (
            "i really love board games, every friday we get together with friends and play "
            "something new, last week it was a trading game that took four hours. mvp "
            "hypothesis pivot."),
        "vague": (
            "an mvp is a minimum viable product. you build one because it's a good practice in "
            "product management and everybody does it, it helps the product be successful."),
        "empty": "",
    },
    "mo-b3": {  # network off the main thread
        "excellent": (
            "the main thread, the ui thread, is the one that draws the screen and handles touch "
            "events, it has to produce a frame every sixteen milliseconds or so. a network call "
            "can take seconds, so if you make it on the main thread the app freezes, and on "
            "android after about five seconds you get an application not responding dialog, and "
            "android actually throws a network on main thread exception. so you run the request "
            "on a background thread, with kotlin coroutines on the io dispatcher or async await "
            "in swift, and when the result comes back you switch back to the main thread to "
            "update the views, because ui toolkits are not thread safe."),
        "plain": (
            "the main thread is the one that draws everything on the screen and reacts when you "
            "tap. if you make it wait for the internet, it can't redraw, so the app just hangs "
            "and the phone may even offer to close it. so you hand the request to a separate "
            "worker that runs in the background, and once the data arrives you pass it back to "
            "the main thread so it can change what's on the screen."),
        "wrong": (
            "network calls on the main thread are fine as long as the network is fast, like on "
            "wifi, the problem is only on slow mobile data. the main thread mostly handles "
            "network requests anyway, the rendering happens on the gpu. and if you do use a "
            "background thread, you can update the ui directly from it, there's no need to go "
            "back to the main thread."),
        "buzzwords": "ui thread, anr, coroutines, async await, dispatchers, background thread, "
                     "jank.",
        "off_topic": (
            "i got into photography during the lockdown, mostly street photos in the old town, "
            "and i bought a second hand camera last year. ui thread anr coroutines."),
        "vague": (
            "it's a best practice not to do network on the main thread. it's bad for the app and "
            "the users won't like it, so you should do it another way."),
        "empty": "",
    },
    "bh-i3": {  # learning something new quickly (behavioral; pre-existing aliases)
        "excellent": (
            "last year our team took over a service written in go, and nobody on the team knew "
            "go, and we had a security fix due in two weeks. i blocked the first three days to "
            "do the official tour and read through the service's code with a senior engineer "
            "from the other team, and i kept a list of questions for our daily half hour call. "
            "then i wrote a small throwaway tool in go to practice. by the second week i "
            "shipped the fix myself, with tests, and it passed review on the first round. we "
            "delivered on time, and i wrote a short onboarding doc that the next two people "
            "used."),
        "plain": (
            "when i joined my current job they used a charting library i'd never touched, and my "
            "first task was a new dashboard for a demo that friday. i watched a couple of short "
            "videos, copied the examples and changed them bit by bit until i got how it worked, "
            "and asked a colleague when i got stuck. then i built the real dashboard with it. "
            "it was ready on thursday and the demo went well."),
        "wrong": (
            "we had to move to a new framework quickly. honestly i didn't want to spend time "
            "learning it, so i asked a colleague to do those tickets and i picked up other work. "
            "i did read some of the documentation at the weekend, but i never actually used it "
            "on the project. it all worked out in the end because he was fast."),
        "buzzwords": "growth mindset, fast learner, documentation, tutorials, prototype, "
                     "mentor, delivery.",
        "off_topic": (
            "i learned to ski when i was five, my parents took us to the mountains every winter "
            "and we stayed in a small wooden cabin. the food there was amazing. learning "
            "quickly prototype."),
        "vague": (
            "i'm a really fast learner, i always pick things up quickly. i just read about it "
            "and then i know it, it's never been a problem for me."),
        "empty": "",
    },
}
