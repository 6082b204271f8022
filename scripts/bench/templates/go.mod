module templatesbench

go 1.19
