"""Where endpoints come from: the profile (:mod:`.static`), DNS (:mod:`.dns`) and the cloud's
own topology (:mod:`.topology`)."""
