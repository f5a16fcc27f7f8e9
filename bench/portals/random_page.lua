-- GET a random page of the Store's API list: defeats the 2-second list cache, so the SQL path is measured.
math.randomseed(os.time())
request = function()
    return wrk.format("GET", string.format("/api/am/store/v0.14/apis?limit=25&offset=%d", math.random(0, 399) * 25))
end
