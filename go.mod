module github.com/fundmatch/fundmatch

go 1.26
